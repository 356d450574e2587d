import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "libsql";
import { GroupCommitDatabase } from "./group-commit-database.js";
import { sqliteMigrations } from "./sqlite-migrations.js";

export type SqliteDatabase = GroupCommitDatabase;

/**
 * Opens (creating if needed) the embedded database in WAL mode with `synchronous = FULL` (a commit
 * is fsync'd before it returns), runs pending migrations, and returns it behind group commit.
 */
export function openSqliteDatabase(filename: string): SqliteDatabase {
  if (filename !== ":memory:") mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const database = new Database(filename);
  database.exec("PRAGMA journal_mode = WAL");
  database.exec("PRAGMA synchronous = FULL");
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
  return new GroupCommitDatabase(database);
}
