import type { MigrationRunner, ProgressListener, RunContext } from './migration-runner'

/**
 * The migration lock held across several runbook steps (backup, each rollback, verification),
 * where MigrationRunner.withLockedSession only offers it for the length of one callback: the
 * callback parks until `release`.
 */
export class HeldMigrationLock {
  private constructor(
    readonly context: RunContext,
    private readonly releaseLock: () => void,
    private readonly finished: Promise<void>
  ) {}

  /** Connects and takes the lock (waiting as withLockedSession does); fails as it fails. */
  static take(runner: MigrationRunner, purpose: string, progress: ProgressListener): Promise<HeldMigrationLock> {
    let releaseLock!: () => void
    const released = new Promise<void>((resolve) => {
      releaseLock = resolve
    })
    return new Promise<HeldMigrationLock>((resolve, reject) => {
      // The callback runs after connecting, by which time `finished` is assigned.
      const finished: Promise<void> = runner
        .withLockedSession(purpose, progress, async (context) => {
          resolve(new HeldMigrationLock(context, releaseLock, finished))
          await released
        })
        .catch((error: unknown) => {
          // Before the callback ran this is the refusal (lock held elsewhere, no connection);
          // afterwards resolve has already happened and this reject does nothing.
          reject(error)
        })
    })
  }

  /** Lets the session unlock and close; safe to call twice. */
  async release(): Promise<void> {
    this.releaseLock()
    await this.finished
  }
}
