/**
 * The history file's own schema, as forward migrations applied in order. The file's
 * `PRAGMA user_version` is the version of the last one applied. Never edit a released
 * migration: add the next one, so every existing file can be brought forward.
 */
export interface HistoryMigration {
  version: number
  name: string
  sql: string
}

/** A decision's severity for "the worst of these windows": trip over breach over hold over pass. */
export const SEVERITY_SQL = "CASE decision WHEN 'trip' THEN 3 WHEN 'breach' THEN 2 WHEN 'hold' THEN 1 ELSE 0 END"

const GENESIS_HASH_LITERAL = `'${'0'.repeat(64)}'`

export const HISTORY_MIGRATIONS: readonly HistoryMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE rollouts (
        flag        TEXT NOT NULL,
        environment TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        state       TEXT NOT NULL,
        PRIMARY KEY (flag, environment)
      );

      -- seq is assigned from chain_head, never by SQLite, so a deleted last event leaves a gap
      -- instead of having its number reused.
      CREATE TABLE events (
        seq            INTEGER PRIMARY KEY,
        at             TEXT NOT NULL,
        kind           TEXT NOT NULL,
        flag           TEXT,
        environment    TEXT,
        actor          TEXT NOT NULL,
        reason         TEXT,
        from_state     TEXT,
        to_state       TEXT,
        guard_snapshot TEXT,
        outcome        TEXT,
        detail         TEXT,
        prev_hash      TEXT NOT NULL,
        hash           TEXT NOT NULL
      );
      CREATE INDEX events_by_rollout ON events (flag, environment, seq);
      CREATE INDEX events_by_kind ON events (kind, seq);

      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'history events are append-only: UPDATE is not allowed'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'history events are append-only: DELETE is not allowed'); END;

      -- One row: the last appended event, updated in the same transaction as each append.
      CREATE TABLE chain_head (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, ${GENESIS_HASH_LITERAL});
      CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head
      BEGIN SELECT RAISE(ABORT, 'the history chain head cannot be deleted'); END;

      CREATE TABLE guard_windows (
        id             INTEGER PRIMARY KEY,
        flag           TEXT NOT NULL,
        environment    TEXT NOT NULL,
        window_start   TEXT NOT NULL,
        window_seconds INTEGER NOT NULL,
        decision       TEXT NOT NULL,
        figures        TEXT NOT NULL,
        recorded_at    TEXT NOT NULL
      );
      CREATE INDEX guard_windows_by_rollout ON guard_windows (flag, environment, window_start);

      CREATE TABLE runbook_runs (
        id          INTEGER PRIMARY KEY,
        runbook     TEXT NOT NULL,
        flag        TEXT,
        environment TEXT NOT NULL,
        actor       TEXT NOT NULL,
        reason      TEXT,
        status      TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        detail      TEXT
      );
      CREATE INDEX runbook_runs_by_status ON runbook_runs (status, started_at);

      CREATE TABLE runbook_steps (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER NOT NULL REFERENCES runbook_runs (id),
        step_index  INTEGER NOT NULL,
        name        TEXT NOT NULL,
        status      TEXT NOT NULL,
        started_at  TEXT,
        finished_at TEXT,
        detail      TEXT,
        UNIQUE (run_id, step_index)
      );

      CREATE TABLE db_operations (
        id            INTEGER PRIMARY KEY,
        kind          TEXT NOT NULL,
        environment   TEXT NOT NULL,
        database      TEXT NOT NULL,
        actor         TEXT NOT NULL,
        status        TEXT NOT NULL,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        backup_file   TEXT,
        backup_sha256 TEXT,
        detail        TEXT
      );

      CREATE TABLE docker_actions (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        environment TEXT NOT NULL,
        endpoint    TEXT NOT NULL,
        container   TEXT,
        action      TEXT NOT NULL,
        outcome     TEXT NOT NULL,
        detail      TEXT
      );
    `
  },
  {
    version: 2,
    name: 'owner of each database operation',
    // JSON {pid, host} of the process doing it, so one left `running` by a crash is recognised
    // and closed at a later start instead of staying open forever.
    sql: `ALTER TABLE db_operations ADD COLUMN owner TEXT;`
  },
  {
    version: 3,
    name: 'guard window figures a chart reads',
    // The figures a review chart draws, as columns beside the JSON, and an index that covers them:
    // a rollout's chart is read from the index alone, without parsing a JSON document per window.
    // Windows stored before are filled in once from their JSON (about 6 s per million windows).
    sql: `
      ALTER TABLE guard_windows ADD COLUMN treatment_error_rate REAL;
      ALTER TABLE guard_windows ADD COLUMN treatment_p95_ms REAL;
      ALTER TABLE guard_windows ADD COLUMN control_p95_ms REAL;
      UPDATE guard_windows SET
        treatment_error_rate = json_extract(figures, '$.treatment.error_rate'),
        treatment_p95_ms = json_extract(figures, '$.treatment.p95_ms'),
        control_p95_ms = json_extract(figures, '$.control.p95_ms');
      CREATE INDEX guard_windows_chart ON guard_windows
        (flag, environment, window_start, decision, treatment_error_rate, treatment_p95_ms, control_p95_ms);
      DROP INDEX guard_windows_by_rollout;
    `
  },
  {
    version: 4,
    name: 'guard windows rolled up by hour',
    // A review of a long rollout counts and charts its windows from one row per flag, environment
    // and hour (the first 13 characters of the ISO start) instead of a million index entries: about
    // 1.7 s then, a few milliseconds now. The trigger keeps every hour in step with each insert, in
    // the insert's own transaction; guard windows are never updated or deleted. Windows stored
    // before are rolled up once here (about 1 s per million).
    sql: `
      CREATE TABLE guard_window_hours (
        flag                 TEXT NOT NULL,
        environment          TEXT NOT NULL,
        hour                 TEXT NOT NULL,
        windows              INTEGER NOT NULL,
        pass                 INTEGER NOT NULL,
        hold                 INTEGER NOT NULL,
        breach               INTEGER NOT NULL,
        trip                 INTEGER NOT NULL,
        severity             INTEGER NOT NULL,
        treatment_error_rate REAL,
        treatment_p95_ms     REAL,
        control_p95_ms       REAL,
        first                TEXT NOT NULL,
        last                 TEXT NOT NULL,
        PRIMARY KEY (flag, environment, hour)
      ) WITHOUT ROWID;
      INSERT INTO guard_window_hours
        SELECT flag, environment, substr(window_start, 1, 13), COUNT(*),
          SUM(decision = 'pass'), SUM(decision = 'hold'), SUM(decision = 'breach'), SUM(decision = 'trip'),
          MAX(${SEVERITY_SQL}), MAX(treatment_error_rate), MAX(treatment_p95_ms), MAX(control_p95_ms),
          MIN(window_start), MAX(window_start)
        FROM guard_windows GROUP BY flag, environment, substr(window_start, 1, 13);
      CREATE TRIGGER guard_windows_roll_up AFTER INSERT ON guard_windows BEGIN
        INSERT INTO guard_window_hours VALUES (
          NEW.flag, NEW.environment, substr(NEW.window_start, 1, 13), 1,
          NEW.decision = 'pass', NEW.decision = 'hold', NEW.decision = 'breach', NEW.decision = 'trip',
          ${SEVERITY_SQL.replaceAll('decision', 'NEW.decision')},
          NEW.treatment_error_rate, NEW.treatment_p95_ms, NEW.control_p95_ms, NEW.window_start, NEW.window_start
        )
        ON CONFLICT (flag, environment, hour) DO UPDATE SET
          windows = windows + 1,
          pass = pass + excluded.pass,
          hold = hold + excluded.hold,
          breach = breach + excluded.breach,
          trip = trip + excluded.trip,
          severity = max(severity, excluded.severity),
          treatment_error_rate = coalesce(max(treatment_error_rate, excluded.treatment_error_rate),
            treatment_error_rate, excluded.treatment_error_rate),
          treatment_p95_ms = coalesce(max(treatment_p95_ms, excluded.treatment_p95_ms),
            treatment_p95_ms, excluded.treatment_p95_ms),
          control_p95_ms = coalesce(max(control_p95_ms, excluded.control_p95_ms),
            control_p95_ms, excluded.control_p95_ms),
          first = min(first, excluded.first),
          last = max(last, excluded.last);
      END;
    `
  }
]

/** The newest schema this build knows; a file with a higher user_version is refused. */
export const HISTORY_SCHEMA_VERSION: number = HISTORY_MIGRATIONS[HISTORY_MIGRATIONS.length - 1]?.version ?? 0

/** The migrations a file at `currentVersion` still needs, in order. */
export function pendingMigrations(currentVersion: number): HistoryMigration[] {
  return HISTORY_MIGRATIONS.filter((migration) => migration.version > currentVersion)
}
