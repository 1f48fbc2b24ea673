import { statSync } from 'node:fs';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { InvalidOptionError, messageOf, OrchestratorError } from '../errors.ts';
import type { OrchestratorEventName } from '../events/event-map.ts';
import { type EventQuery, type StoredEvent, validateQuery } from './event-query.ts';

/** Bumped when the table changes; a file written with another version is refused, not misread. */
const SCHEMA_VERSION = 1;

// `id` orders rows across runs: `seq` restarts at 1 with each EventStore, so it is kept but not unique.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    agent TEXT,
    timestamp REAL NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS events_by_agent ON events (agent, id);
  CREATE INDEX IF NOT EXISTS events_by_type ON events (type, id);
  PRAGMA user_version = ${SCHEMA_VERSION};
`;

interface Row {
  seq: number;
  type: string;
  agent: string | null;
  timestamp: number;
  payload: string;
}

/**
 * Durable event history in a SQLite file (`node:sqlite`, opt-in: import this module only when it
 * is wanted, so nobody else loads SQLite).
 *
 * Crash safety: WAL journal, one autocommitted insert per `append`, `synchronous = NORMAL`. When
 * `append` returns, the row is in the WAL file through a `write()` the kernel has accepted, so a
 * SIGKILL or crash of this process cannot lose it; the next `open` replays the WAL. What NORMAL
 * does not promise is surviving a power loss or kernel crash (that would take an fsync per event,
 * milliseconds each).
 *
 * Payloads are stored as JSON text, so what JSON cannot hold changes on the way: `undefined`
 * fields disappear, `NaN` and `Infinity` become `null`, a `Date` becomes its ISO string, a `Map`
 * or `Set` becomes `{}`, a BigInt becomes the string `"123n"`. A field JSON cannot encode at all
 * (a cycle, a throwing `toJSON`) is stored as a string `"[not JSON: <why>]"`; the other fields
 * are kept. Errors in payloads are already plain `SerializedError` objects and round-trip intact.
 */
export class SqliteHistory {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  /** Query statements by shape (which filters are present): at most four, each prepared once. */
  readonly #queries = new Map<string, StatementSync>();
  #open = true;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO events (seq, type, agent, timestamp, payload) VALUES (?, ?, ?, ?, ?)',
    );
  }

  /**
   * Opens `file`, creating it and its table if needed, unless `existing` (a read: a file that is
   * not there is refused, not created). Throws `InvalidOptionError` for `history.file` when SQLite
   * cannot open it read-write or it holds another schema.
   */
  static open(file: string, existing = false): SqliteHistory {
    if (typeof file !== 'string' || file === '')
      throw new InvalidOptionError('history.file', file, 'a file path (non-empty string)');
    if (existing && !statSync(file, { throwIfNoEntry: false })?.isFile())
      throw new InvalidOptionError(
        'history.file',
        file,
        'an existing history file (there is no file at that path)',
      );
    let db: DatabaseSync;
    try {
      // Loaded here, not imported: only an orchestrator with a history file touches node:sqlite.
      const sqlite = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
      db = new sqlite.DatabaseSync(file);
    } catch (error) {
      throw new InvalidOptionError(
        'history.file',
        file,
        `a path SQLite can open read-write (${messageOf(error)})`,
      );
    }
    try {
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
      if (version !== 0 && version !== SCHEMA_VERSION)
        throw new InvalidOptionError(
          'history.file',
          file,
          `a tsorchestrate history of schema version ${SCHEMA_VERSION} or a new file (found version ${version})`,
        );
      db.exec(SCHEMA);
      return new SqliteHistory(db);
    } catch (error) {
      db.close();
      if (error instanceof InvalidOptionError) throw error;
      throw new InvalidOptionError('history.file', file, `a SQLite database file (${messageOf(error)})`);
    }
  }

  /** Inserts one event, synchronously: once this returns, a crash of this process cannot lose it. */
  append(event: StoredEvent): void {
    this.#assertOpen();
    this.#insert.run(event.seq, event.type, event.agent ?? null, event.timestamp, toJson(event.payload));
  }

  /** Same filters and results as `EventStore.query` (and the same validation), oldest first. */
  query(query?: EventQuery): StoredEvent[] {
    const resolved = validateQuery(query);
    this.#assertOpen();
    if (resolved.limit === 0 || resolved.types?.size === 0) return [];
    const where = ['timestamp >= ? AND timestamp <= ?'];
    const params: SQLInputValue[] = [resolved.since, resolved.until];
    if (resolved.agent !== undefined) {
      where.push('agent = ?');
      params.push(resolved.agent);
    }
    if (resolved.types !== undefined) {
      where.push('type IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify([...resolved.types]));
    }
    // LIMIT -1 is SQLite's "no limit".
    params.push(resolved.limit === Infinity ? -1 : resolved.limit);
    const sql = `SELECT seq, type, agent, timestamp, payload FROM events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`;
    let statement = this.#queries.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#queries.set(sql, statement);
    }
    const rows = statement.all(...params) as unknown as Row[];
    return rows.reverse().map((row) => ({
      seq: row.seq,
      type: row.type as OrchestratorEventName,
      agent: row.agent ?? undefined,
      timestamp: row.timestamp,
      payload: JSON.parse(row.payload),
    }));
  }

  /** Closes the file. Safe to call twice; `append` and `query` throw afterwards. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#db.close();
  }

  #assertOpen(): void {
    if (!this.#open) throw new OrchestratorError('ERR_SHUT_DOWN', 'This SqliteHistory is closed.');
  }
}

/** JSON text of a payload; never throws (see the class comment for what changes). */
function toJson(payload: unknown): string {
  try {
    return JSON.stringify(payload, bigintAsString);
  } catch (error) {
    if (typeof payload !== 'object' || payload === null) return JSON.stringify(notJson(error));
    // Keep every field that encodes; describe the ones that do not.
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(payload)) {
      try {
        JSON.stringify(value, bigintAsString);
        fields[key] = value;
      } catch (error) {
        fields[key] = notJson(error);
      }
    }
    return JSON.stringify(fields, bigintAsString);
  }
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

function notJson(why: unknown): string {
  return `[not JSON: ${messageOf(why).split('\n')[0]}]`;
}
