import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { RampartError } from '@shared/errors'
import { CATALOG_OBJECT_KINDS, type CatalogObject, type CatalogObjectKind } from '@shared/migration-types'
import type { EnvironmentConfig } from '@main/workspace/core/workspace-schema'
import { resolveSecretReference } from '@main/platform/secret-reference'

/** Where to connect. The password is already resolved; it is never part of any message. */
export interface PostgresConnectionSettings {
  host: string
  port: number
  user: string
  password: string
  database: string
  /** Connect attempt limit; an unreachable host fails within it instead of hanging. */
  connectTimeoutMs?: number
}

export interface ReadinessAttempt {
  attempt: number
  elapsedMs: number
  /** Why this attempt failed. */
  error: string
}

export interface ReadinessResult {
  attempts: number
  elapsedMs: number
  serverVersion: string
}

/** The session holding an advisory lock, as far as pg_stat_activity tells. */
export interface LockHolder {
  pid: number
  user: string | null
  applicationName: string | null
  clientAddress: string | null
  /** ISO 8601: when the holder's session connected. */
  connectedSince: string | null
  state: string | null
  query: string | null
}

export interface LockWait {
  waitedMs: number
  holder: LockHolder | null
}

type Row = Record<string, unknown>

const DEFAULT_CONNECT_TIMEOUT_MS = 5000
const READINESS_FIRST_DELAY_MS = 100
const READINESS_MAX_DELAY_MS = 1000
const LOCK_POLL_MS = 250
// SQLSTATEs that no amount of waiting fixes: wrong password, no pg_hba entry, no such database or role.
const PERMANENT_CONNECT_FAILURES = new Set(['28P01', '28000', '3D000'])

let loadedPg: typeof pg | null = null

/**
 * pg, loaded on the first connection or quoted name: every command that opens the app's
 * services builds a PostgresTarget per environment, and most (the emergency rollback among
 * them) never reach Postgres, so they do not pay for loading its client.
 */
function pgClient(): typeof pg {
  loadedPg ??= createRequire(import.meta.url)('pg') as typeof pg
  return loadedPg
}

/** A Postgres server reached over TCP with `pg`; sessions are dedicated clients, never a pool. */
export class PostgresTarget {
  constructor(readonly settings: PostgresConnectionSettings) {}

  /** From a workspace environment, resolving the `${VAR}` password reference against `env`. */
  static fromEnvironment(
    environmentName: string,
    postgres: EnvironmentConfig['postgres'],
    env: Readonly<Record<string, string | undefined>>,
    overrides: { database?: string } = {}
  ): PostgresTarget {
    return new PostgresTarget({
      host: postgres.host,
      port: postgres.port,
      user: postgres.user,
      password: resolveSecretReference(postgres.password, env, `environment "${environmentName}" postgres.password`),
      database: overrides.database ?? postgres.database
    })
  }

  get database(): string {
    return this.settings.database
  }

  /** `user@host:port/database`, for messages and records: never the password. */
  describe(database = this.settings.database): string {
    return `${this.settings.user}@${this.settings.host}:${this.settings.port}/${database}`
  }

  /** Opens one dedicated connection; `applicationName` shows in pg_stat_activity (and so in lock messages). */
  async connect(options: { applicationName?: string; database?: string } = {}): Promise<PostgresSession> {
    const database = options.database ?? this.settings.database
    const client = new (pgClient().Client)({
      host: this.settings.host,
      port: this.settings.port,
      user: this.settings.user,
      password: this.settings.password,
      database,
      application_name: (options.applicationName ?? 'rampart').slice(0, 63),
      connectionTimeoutMillis: this.settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    })
    const session = new PostgresSession(client, this.describe(database))
    try {
      await client.connect()
    } catch (error) {
      await session.close()
      throw connectFailure(this.describe(database), error)
    }
    return session
  }

  /** Runs `action` on a fresh session and closes it afterwards, whatever happens. */
  async withSession<T>(
    action: (session: PostgresSession) => Promise<T>,
    options: { applicationName?: string; database?: string } = {}
  ): Promise<T> {
    const session = await this.connect(options)
    try {
      return await action(session)
    } finally {
      await session.close()
    }
  }

  /** One-shot query on its own short session. */
  async query<R extends Row = Row>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.withSession((session) => session.query<R>(sql, params))
  }

  /**
   * Ready means a real connection answering `SELECT 1`, not a log line. Retries with backoff
   * (100 ms doubling to 1 s) until `timeoutMs`; a wrong password or missing database fails at once.
   */
  async waitUntilReady(options: {
    timeoutMs: number
    onAttempt?: (attempt: ReadinessAttempt) => void
    database?: string
    signal?: AbortSignal
  }): Promise<ReadinessResult> {
    const started = Date.now()
    let delay = READINESS_FIRST_DELAY_MS
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted()
      try {
        const version = await this.withSession(
          async (session) => {
            const rows = await session.query<{ ok: number; version: string }>(
              "SELECT 1 AS ok, current_setting('server_version') AS version"
            )
            return rows[0]?.version ?? 'unknown'
          },
          {
            applicationName: 'rampart readiness',
            ...(options.database === undefined ? {} : { database: options.database })
          }
        )
        return { attempts: attempt, elapsedMs: Date.now() - started, serverVersion: version }
      } catch (error) {
        const elapsedMs = Date.now() - started
        const message = messageOf(error)
        options.onAttempt?.({ attempt, elapsedMs, error: message })
        if (isPermanentConnectFailure(error)) throw error
        if (elapsedMs + delay > options.timeoutMs) {
          throw new RampartError(
            'unreachable',
            `Postgres at ${this.describe(options.database)} ` +
              `did not answer SELECT 1 within ${Math.round(options.timeoutMs / 1000)} s ` +
              `(${attempt} attempts). Last error: ${message}`,
            { attempts: attempt, elapsedMs }
          )
        }
        await sleep(delay, undefined, options.signal === undefined ? {} : { signal: options.signal })
        delay = Math.min(delay * 2, READINESS_MAX_DELAY_MS)
      }
    }
  }

  /** A name made safe to place in SQL as an identifier; configuration is never pasted in raw. */
  quoteIdentifier(name: string): string {
    return quoteIdentifier(name)
  }
}

/** Double-quoted with embedded quotes doubled, by pg's own escapeIdentifier; NUL is refused outright. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\0'))
    throw new RampartError(
      'bad_input',
      `The name ${JSON.stringify(name)} holds a NUL character, which Postgres cannot store`
    )
  return pgClient().escapeIdentifier(name)
}

/** A 64-bit advisory lock key for a name, stable across machines and Postgres versions (unlike hashtext). */
export function advisoryLockKey(name: string): bigint {
  return createHash('sha256').update(name, 'utf8').digest().readBigInt64BE(0)
}

/** One dedicated connection. Errors from a dead connection are kept, never thrown at the process. */
export class PostgresSession {
  private lostWith: Error | null = null
  private closed = false

  constructor(
    private readonly client: pg.Client,
    /** `user@host:port/database`. */
    readonly target: string
  ) {
    // Without a listener, a server that dies while this session is idle would crash the process.
    client.on('error', (error) => {
      this.lostWith = error
    })
  }

  /** The server process id of this session (pg_backend_pid), known after connect. */
  get pid(): number | undefined {
    return (this.client as unknown as { processID?: number }).processID
  }

  /** Set once the connection has failed; the session is useless afterwards. */
  get lost(): Error | null {
    return this.lostWith
  }

  async query<R extends Row = Row>(sql: string, params: unknown[] = []): Promise<R[]> {
    const result = await this.client.query<R>(sql, params)
    return result.rows
  }

  /**
   * Runs a script of one or more statements through the simple query protocol, as psql would
   * send a file: Postgres parses it all first, so a syntax error anywhere runs none of it.
   */
  async execScript(sql: string): Promise<void> {
    await this.client.query(sql)
  }

  async tryAdvisoryLock(key: bigint): Promise<boolean> {
    const rows = await this.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
      key.toString()
    ])
    return rows[0]?.locked === true
  }

  async advisoryUnlock(key: bigint): Promise<boolean> {
    const rows = await this.query<{ unlocked: boolean }>('SELECT pg_advisory_unlock($1::bigint) AS unlocked', [
      key.toString()
    ])
    return rows[0]?.unlocked === true
  }

  /** Who holds the session-level advisory lock `key` in this database, if anyone else does. */
  async advisoryLockHolder(key: bigint): Promise<LockHolder | null> {
    const unsigned = BigInt.asUintN(64, key)
    // pg_locks shows a bigint key as classid (high 32 bits), objid (low 32 bits), objsubid 1.
    const rows = await this.query<{
      pid: number
      usename: string | null
      application_name: string | null
      client_addr: string | null
      backend_start: Date | null
      state: string | null
      query: string | null
    }>(
      `SELECT a.pid, a.usename, a.application_name, host(a.client_addr) AS client_addr, a.backend_start, a.state,
              left(a.query, 200) AS query
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = $1::bigint AND l.objid::bigint = $2::bigint
          AND l.pid <> pg_backend_pid()
        LIMIT 1`,
      [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()]
    )
    const row = rows[0]
    if (row === undefined) return null
    return {
      pid: row.pid,
      user: row.usename,
      applicationName: row.application_name,
      clientAddress: row.client_addr,
      connectedSince: row.backend_start?.toISOString() ?? null,
      state: row.state,
      query: row.query
    }
  }

  /**
   * Takes the session-level advisory lock `key`, polling for up to `waitMs`. Returns the holder
   * last seen when it gave up (the caller writes the refusal), or null once the lock is ours.
   */
  async acquireAdvisoryLock(
    key: bigint,
    options: { waitMs: number; onWait?: (wait: LockWait) => void; signal?: AbortSignal }
  ): Promise<{ acquired: true; waitedMs: number } | { acquired: false; waitedMs: number; holder: LockHolder | null }> {
    const started = Date.now()
    let reported = -Infinity
    for (;;) {
      options.signal?.throwIfAborted()
      if (await this.tryAdvisoryLock(key)) return { acquired: true, waitedMs: Date.now() - started }
      const waitedMs = Date.now() - started
      const holder = await this.advisoryLockHolder(key)
      if (waitedMs >= options.waitMs) return { acquired: false, waitedMs, holder }
      // Report at once, then every 2 s: enough to show progress without flooding.
      if (waitedMs - reported >= 2000) {
        reported = waitedMs
        options.onWait?.({ waitedMs, holder })
      }
      await sleep(Math.min(LOCK_POLL_MS, Math.max(1, options.waitMs - waitedMs)))
    }
  }

  /** The objects in every user schema (pg_catalog, information_schema and temp/toast schemas left out). */
  async catalogSnapshot(): Promise<CatalogObject[]> {
    const rows = await this.query<{
      kind: string
      schema: string
      name: string
      table_name: string | null
      constraint_type: string | null
      arguments: string | null
    }>(CATALOG_SNAPSHOT_SQL)
    return rows.map((row) => {
      if (!(CATALOG_OBJECT_KINDS as readonly string[]).includes(row.kind)) {
        throw new RampartError('failed', `The catalog snapshot returned an unknown object kind "${row.kind}"`)
      }
      const object: CatalogObject = { kind: row.kind as CatalogObjectKind, schema: row.schema, name: row.name }
      if (row.table_name !== null) object.table = row.table_name
      if (row.constraint_type !== null) object.constraintType = row.constraint_type
      if (row.arguments !== null) object.arguments = row.arguments
      return object
    })
  }

  /** Closes the connection; safe to call twice and on a connection that already died. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    // end() on a half-dead socket can wait for a reply that never comes; do not let it hold us.
    await Promise.race([this.client.end().catch(() => undefined), sleep(2000, undefined, { ref: false })])
  }
}

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`

const CATALOG_SNAPSHOT_SQL = `
SELECT 'schema' AS kind, n.nspname AS schema, n.nspname AS name,
       NULL::text AS table_name, NULL::text AS constraint_type, NULL::text AS arguments
  FROM pg_namespace n WHERE ${USER_SCHEMA}
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view' WHEN 'S' THEN 'sequence' ELSE 'table' END,
       n.nspname, c.relname, NULL, NULL, NULL
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND ${USER_SCHEMA}
UNION ALL
SELECT 'index', n.nspname, ic.relname, t.relname, NULL, NULL
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = ic.relnamespace
 WHERE ${USER_SCHEMA}
UNION ALL
SELECT 'constraint', n.nspname, con.conname, t.relname, con.contype::text, NULL
  FROM pg_constraint con
  JOIN pg_class t ON t.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = con.connamespace
 WHERE con.conrelid <> 0 AND ${USER_SCHEMA}
UNION ALL
SELECT 'function', n.nspname, p.proname, NULL, NULL, pg_get_function_identity_arguments(p.oid)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE ${USER_SCHEMA}
UNION ALL
SELECT 'type', n.nspname, ty.typname, NULL, NULL, NULL
  FROM pg_type ty JOIN pg_namespace n ON n.oid = ty.typnamespace
 WHERE (ty.typtype IN ('e', 'd', 'r')
        OR (ty.typtype = 'c' AND (SELECT rc.relkind FROM pg_class rc WHERE rc.oid = ty.typrelid) = 'c'))
   AND ${USER_SCHEMA}
UNION ALL
SELECT 'trigger', n.nspname, tg.tgname, t.relname, NULL, NULL
  FROM pg_trigger tg
  JOIN pg_class t ON t.oid = tg.tgrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE NOT tg.tgisinternal AND ${USER_SCHEMA}
`

function isPermanentConnectFailure(error: unknown): boolean {
  const cause =
    error instanceof RampartError ? (error.detail as { sqlstate?: string } | undefined)?.sqlstate : undefined
  return cause !== undefined && PERMANENT_CONNECT_FAILURES.has(cause)
}

/** A connect error as the operator should read it: where, and what to do. */
function connectFailure(target: string, error: unknown): RampartError {
  const sqlstate = (error as { code?: unknown } | null)?.code
  const code = typeof sqlstate === 'string' ? sqlstate : undefined
  const message = messageOf(error)
  const detail = { sqlstate: code, cause: message }
  switch (code) {
    case '28P01':
      return new RampartError(
        'refused',
        `Postgres at ${target} refused the password for the user (${message}); ` +
          'check the password variable the workspace names',
        detail
      )
    case '28000':
      return new RampartError(
        'refused',
        `Postgres at ${target} does not allow this user to connect (${message})`,
        detail
      )
    case '3D000':
      return new RampartError(
        'unreachable',
        `The database at ${target} does not exist (${message}); ` +
          'create it first (`rampart db setup` for a test database)',
        detail
      )
    case 'ECONNREFUSED':
      return new RampartError(
        'unreachable',
        `Nothing accepts connections at ${target} (connection refused); ` +
          'is the Postgres container running and its port published?',
        detail
      )
    default:
      return new RampartError('unreachable', `Cannot connect to Postgres at ${target}: ${message}`, detail)
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join('; ')
  return error instanceof Error ? error.message : String(error)
}
