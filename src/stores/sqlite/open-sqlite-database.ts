import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "@photostructure/sqlite";
import { busyTimeoutMs, GroupCommitDatabase, rollBackIfOpen } from "./group-commit-database.js";
import { sqliteMigrations } from "./sqlite-migrations.js";
import { WalCheckpointer, type WalCheckpointerOptions } from "./wal-checkpointer.js";
import { WalFileSync } from "./wal-file-sync.js";

export type SqliteDatabase = GroupCommitDatabase;

export interface OpenSqliteDatabaseOptions {
  /** Replaces the WAL fsync (tests inject failures and delays). */
  fsync?: (descriptor: number) => Promise<void>;
  /**
   * Checkpoint the WAL from a worker thread instead of inside COMMIT on the event loop (default
   * true; `:memory:` has no WAL).
   */
  checkpointInWorker?: boolean;
  /** The worker checkpointer stopped; SQLite's automatic checkpoint has been turned back on. */
  onCheckpointerFailure?: (error: Error) => void;
  /** How long writes nobody waits for may gather before they are committed (default 100 ms). */
  lazyCommitDelayMs?: number;
  /** Overrides for the worker checkpointer (tests). */
  checkpointer?: Pick<WalCheckpointerOptions, "delayMs" | "sqlitePath" | "restartFrames" | "catchUpFrames">;
}

/**
 * Opens (creating if needed) the embedded database in WAL mode, runs pending migrations, and returns
 * it behind group commit: `flush()` resolves once what was written is committed and fsync'd.
 */
export function openSqliteDatabase(
  filename: string,
  options: OpenSqliteDatabaseOptions = {},
): SqliteDatabase {
  if (filename !== ":memory:") mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const database = new DatabaseSync(filename);
  database.exec("PRAGMA journal_mode = WAL");
  // Commits write the WAL without fsync; WalFileSync fsyncs it off the event loop before any
  // answer or send that depends on it (the durability of FULL, without blocking requests).
  database.exec("PRAGMA synchronous = NORMAL");
  database.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  database.exec("PRAGMA foreign_keys = ON");
  // Sorts and temporary indexes in memory, not in temporary files.
  database.exec("PRAGMA temp_store = MEMORY");
  const row = database.prepare("PRAGMA user_version").get() as { user_version?: number } | undefined;
  const version = Number(row?.user_version ?? 0);
  for (let index = version; index < sqliteMigrations.length; index++) {
    const sql = sqliteMigrations[index] ?? "";
    database.exec("BEGIN IMMEDIATE");
    try {
      database.exec(sql);
      database.exec(`PRAGMA user_version = ${index + 1}`);
      database.exec("COMMIT");
    } catch (error) {
      // The migration's own error is the one to report; the connection is closed either way.
      rollBackIfOpen(database);
      database.close();
      throw error;
    }
  }
  const walPath = filename === ":memory:" ? undefined : `${path.resolve(filename)}-wal`;
  const walSync = new WalFileSync(walPath, options.fsync);
  if (!walPath || options.checkpointInWorker === false)
    return new GroupCommitDatabase(database, walSync, options.lazyCommitDelayMs);
  // Off before the worker starts: from here on only the worker checkpoints (or SQLite again, below).
  database.exec("PRAGMA wal_autocheckpoint = 0");
  // After a reset, a WAL that grew in a burst is cut back to this size.
  database.exec(`PRAGMA journal_size_limit = ${32 * 1024 * 1024}`);
  const checkpointer = new WalCheckpointer({
    filename: path.resolve(filename),
    ...options.checkpointer,
    onFailure: (error) => {
      groupCommit.setAutomaticCheckpoint(true);
      options.onCheckpointerFailure?.(error);
    },
  });
  const groupCommit = new GroupCommitDatabase(database, walSync, options.lazyCommitDelayMs, checkpointer);
  return groupCommit;
}
