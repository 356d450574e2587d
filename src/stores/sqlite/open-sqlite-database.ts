import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "libsql";
import { GroupCommitDatabase } from "./group-commit-database.js";
import { sqliteMigrations } from "./sqlite-migrations.js";
import { WalFileSync } from "./wal-file-sync.js";

export type SqliteDatabase = GroupCommitDatabase;

/**
 * Opens (creating if needed) the embedded database in WAL mode, runs pending migrations, and returns
 * it behind group commit: `flush()` resolves once what was written is committed and fsync'd.
 */
export function openSqliteDatabase(
  filename: string,
  options: { fsync?: (descriptor: number) => Promise<void> } = {},
): SqliteDatabase {
  if (filename !== ":memory:") mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const database = new Database(filename);
  database.exec("PRAGMA journal_mode = WAL");
  // Commits write the WAL without fsync; WalFileSync fsyncs it off the event loop before any
  // answer or send that depends on it (the durability of FULL, without blocking requests).
  database.exec("PRAGMA synchronous = NORMAL");
  database.exec("PRAGMA busy_timeout = 5000");
  database.exec("PRAGMA foreign_keys = ON");
  const row = database.prepare("PRAGMA user_version").get() as { user_version?: number } | undefined;
  const version = Number(row?.user_version ?? 0);
  for (let index = version; index < sqliteMigrations.length; index++) {
    const sql = sqliteMigrations[index] ?? "";
    database.transaction(() => {
      database.exec(sql);
      database.exec(`PRAGMA user_version = ${index + 1}`);
    })();
  }
  const walPath = filename === ":memory:" ? undefined : `${path.resolve(filename)}-wal`;
  return new GroupCommitDatabase(database, new WalFileSync(walPath, options.fsync));
}
