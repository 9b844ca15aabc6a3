/**
 * A Docker engine owned by one test, for faults that stop the engine: the shared dockerd of the
 * test environment is never stopped. It runs with the flags of scripts/test-env/lib/engine.sh
 * (vfs, no bridge, no firewall rules) plus its own data root, exec root, pid file and unix socket
 * under a temporary folder, and --live-restore so its containers outlive a stop of the engine.
 * Images come from the shared engine (`docker save | docker load`). `remove()` takes everything
 * down: containers, the engine, the containerd it left for live restore, mounts, the folder.
 */
import { execFile, spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { DockerEngine } from '@main/docker/docker-engine'
import { waitFor } from './docker-test-env'

const run = promisify(execFile)
const ENGINE_FLAGS = ['--storage-driver=vfs', '--iptables=false', '--ip6tables=false', '--bridge=none']
/** dockerd answering after a start, or gone after SIGTERM (it waits for its own shutdown work). */
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 30_000

export interface PrivateDockerd {
  /** unix:///…/docker.sock */
  host: string
  dir: string
  /** A client of this engine (kept across its restarts: each request dials the socket anew). */
  engine: DockerEngine
  /** `docker -H host ARGS`. */
  docker(args: string[]): Promise<string>
  /** Copies an image from the shared engine into this one. */
  loadImage(image: string): Promise<void>
  /** SIGTERM, then waits until the process is gone. */
  stop(): Promise<void>
  /** Starts the engine again on the same folders and waits until it answers. */
  start(): Promise<void>
  remove(): Promise<void>
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function pidIn(file: string): number | null {
  if (!existsSync(file)) return null
  const pid = Number(readFileSync(file, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 ? pid : null
}

export async function startPrivateDockerd(): Promise<PrivateDockerd> {
  // Short: containerd's socket path under the exec root must stay under the 108-byte limit.
  const dir = mkdtempSync(path.join(tmpdir(), 'rdk-'))
  const dataRoot = path.join(dir, 'data')
  const execRoot = path.join(dir, 'exec')
  mkdirSync(dataRoot)
  mkdirSync(execRoot)
  const socket = path.join(dir, 'docker.sock')
  const host = `unix://${socket}`
  const pidFile = path.join(dir, 'dockerd.pid')
  const logFile = path.join(dir, 'dockerd.log')
  let pid: number | null = null
  const engine = DockerEngine.forHost(host)

  const docker = async (args: string[]): Promise<string> => (await run('docker', ['-H', host, ...args])).stdout

  async function start(): Promise<void> {
    const log = openSync(logFile, 'a')
    const child = spawn(
      'dockerd',
      [
        ...ENGINE_FLAGS,
        '--live-restore',
        `--data-root=${dataRoot}`,
        `--exec-root=${execRoot}`,
        `--pidfile=${pidFile}`,
        `--host=${host}`
      ],
      { detached: true, stdio: ['ignore', log, log] }
    )
    closeSync(log)
    child.unref()
    pid = child.pid ?? null
    await waitFor(
      `the private dockerd at ${host} to answer (log: ${logFile})`,
      async () => {
        if (pid !== null && !isAlive(pid))
          throw new Error(`the private dockerd exited: ${readFileSync(logFile, 'utf8').slice(-2000)}`)
        try {
          await engine.ping()
          return true
        } catch {
          return undefined
        }
      },
      START_TIMEOUT_MS,
      200
    )
  }

  async function stopPid(target: number | null): Promise<void> {
    if (target === null || !isAlive(target)) return
    process.kill(target, 'SIGTERM')
    await waitFor(
      `pid ${target} to exit after SIGTERM`,
      async () => (isAlive(target) ? undefined : true),
      STOP_TIMEOUT_MS,
      100
    )
  }

  async function teardown(): Promise<void> {
    // A test that failed while the engine was stopped left its containers to live restore: the
    // engine comes back to remove them, or they would outlive the test.
    if (pid !== null && !isAlive(pid) && existsSync(path.join(execRoot, 'containerd')))
      await start().catch(() => undefined)
    if (pid !== null && isAlive(pid)) {
      const ids = (await docker(['ps', '-aq']).catch(() => '')).split('\n').filter((id) => id !== '')
      if (ids.length > 0) await docker(['rm', '-f', ...ids]).catch(() => undefined)
    }
    engine.close()
    await stopPid(pid)
    // Live restore leaves containerd running for the next start: it goes too.
    await stopPid(pidIn(path.join(execRoot, 'containerd', 'containerd.pid')))
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`))
      .sort()
      .reverse()
    for (const mountPoint of mounts) await run('umount', ['-l', mountPoint]).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    await start()
  } catch (error) {
    // Nothing left behind by an engine that never answered.
    await teardown()
    throw error
  }
  return {
    host,
    dir,
    engine,
    docker,
    async loadImage(image) {
      await new Promise<void>((resolve, reject) => {
        const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] })
        const load = spawn('docker', ['-H', host, 'load', '--quiet'], { stdio: ['pipe', 'ignore', 'inherit'] })
        save.stdout.pipe(load.stdin)
        save.once('error', reject)
        load.once('error', reject)
        load.once('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`docker load of ${image} into ${host} exited with ${code}`))
        )
      })
    },
    async stop() {
      await stopPid(pid)
    },
    start,
    remove: teardown
  }
}
