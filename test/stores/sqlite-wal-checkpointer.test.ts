import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "@photostructure/sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteDatabase } from "../../src/stores/sqlite/open-sqlite-database.js";
import { WalCheckpointer } from "../../src/stores/sqlite/wal-checkpointer.js";

const require = createRequire(import.meta.url);

/** Rows of `notes` in the database file alone, as if its WAL had been lost. */
function rowsInDatabaseFile(filename: string, directory: string): number {
  const copy = path.join(directory, `copy-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(filename, copy);
  const reader = new DatabaseSync(copy, { readOnly: true });
  try {
    const table = reader.prepare("SELECT name FROM sqlite_master WHERE name = 'notes'").get();
    if (!table) return 0;
    return (reader.prepare("SELECT count(*) AS count FROM notes").get() as { count: number }).count;
  } finally {
    reader.close();
  }
}

describe("WAL checkpoints in a worker thread", () => {
  let directory: string;
  let filename: string;

  beforeEach(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-checkpoint-"));
    filename = path.join(directory, "switchboard.db");
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("turns SQLite's checkpoint in COMMIT off and copies committed writes into the file from the worker", async () => {
    const database = openSqliteDatabase(filename, { checkpointer: { delayMs: 5 } });
    try {
      expect(database.prepare("PRAGMA wal_autocheckpoint").get()).toMatchObject({ wal_autocheckpoint: 0 });
      const checkpointer = database.checkpointer;
      if (!checkpointer) throw new Error("a file database has a checkpointer");
      database.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
      const insert = database.prepare("INSERT INTO notes (text) VALUES (?)");
      for (let index = 0; index < 20; index++) insert.run(`note ${index}`);
      const checkpointed = checkpointer.nextCheckpoint();
      await database.flush();
      expect(rowsInDatabaseFile(filename, directory)).toBe(0); // only in the WAL so far
      await checkpointed;
      expect(rowsInDatabaseFile(filename, directory)).toBe(20);
      expect(checkpointer.checkpoints).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });

  it("without it, committed writes stay in the WAL until SQLite's own checkpoint (1,000 pages)", async () => {
    const database = openSqliteDatabase(filename, { checkpointInWorker: false });
    try {
      expect(database.checkpointer).toBeUndefined();
      expect(database.prepare("PRAGMA wal_autocheckpoint").get()).toMatchObject({ wal_autocheckpoint: 1000 });
      database.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
      database.prepare("INSERT INTO notes (text) VALUES (?)").run("only in the WAL");
      await database.flush();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rowsInDatabaseFile(filename, directory)).toBe(0);
    } finally {
      await database.close();
    }
  });

  it("resets a WAL that grew past its limit while the writer kept committing", async () => {
    const database = openSqliteDatabase(filename, {
      checkpointer: { delayMs: 1, restartFrames: 64, catchUpFrames: 1000 },
    });
    try {
      database.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
      const insert = database.prepare("INSERT INTO notes (text) VALUES (?)");
      const page = "x".repeat(4000);
      for (let index = 0; index < 400; index++) {
        insert.run(page); // one page and more per commit
        await database.flush();
        if (index % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // Let the worker's last pass end; the next commit then resets the WAL if it is long again.
      await new Promise((resolve) => setTimeout(resolve, 50));
      insert.run("last");
      await database.flush();
      expect(database.walRestarts).toBeGreaterThan(0);
      // The WAL holds what came after the last reset, not the 400 commits.
      const reader = new DatabaseSync(filename);
      try {
        const { log } = reader.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as { log: number };
        expect(log).toBeLessThan(400);
      } finally {
        reader.close();
      }
    } finally {
      await database.close();
    }
  });

  it("checkpoints all of the WAL when the database closes", async () => {
    const database = openSqliteDatabase(filename, { checkpointer: { delayMs: 60_000 } });
    database.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
    database.prepare("INSERT INTO notes (text) VALUES (?)").run("kept at close");
    await database.close();
    expect(rowsInDatabaseFile(filename, directory)).toBe(1);
  });

  it("turns SQLite's own checkpoint back on and reports when the worker cannot run", async () => {
    const failures: Error[] = [];
    const database = openSqliteDatabase(filename, {
      checkpointer: { sqlitePath: path.join(directory, "no-such-module.js") },
      onCheckpointerFailure: (error) => failures.push(error),
    });
    try {
      await database.checkpointer?.close();
      expect(failures).toHaveLength(1);
      expect(failures[0]?.message).toMatch(/no-such-module/);
      expect(database.prepare("PRAGMA wal_autocheckpoint").get()).toMatchObject({ wal_autocheckpoint: 1000 });
      // Writes go on as before.
      database.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
      database.prepare("INSERT INTO notes (text) VALUES (?)").run("still written");
      await database.flush();
    } finally {
      await database.close();
    }
  });

  it("asks for one checkpoint at a time however many commits arrive", async () => {
    const checkpointer = new WalCheckpointer({ filename, delayMs: 20, onFailure: () => undefined });
    const database = openSqliteDatabase(filename, { checkpointInWorker: false });
    try {
      database.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
      const done = checkpointer.nextCheckpoint();
      for (let index = 0; index < 5; index++) checkpointer.noteCommit();
      await done;
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(checkpointer.checkpoints).toBe(1);
    } finally {
      await checkpointer.close();
      await database.close();
    }
  });

  it("keeps the process alive until the thread has closed: a process with nothing else to do still sees close() resolve", () => {
    // A database whose close takes 300 ms stands in for a slow thread.
    const slowSqlite = path.join(directory, "slow-close-sqlite.cjs");
    writeFileSync(
      slowSqlite,
      `const { DatabaseSync } = require(${JSON.stringify(require.resolve("@photostructure/sqlite"))});
exports.DatabaseSync = class SlowClose extends DatabaseSync {
  close() { const end = Date.now() + 300; while (Date.now() < end); return super.close(); }
};`,
    );
    const script = path.join(directory, "close-last.mts");
    writeFileSync(
      script,
      `import { WalCheckpointer } from ${JSON.stringify(path.resolve("src/stores/sqlite/wal-checkpointer.ts"))};
const checkpointer = new WalCheckpointer({
  filename: ${JSON.stringify(filename)},
  sqlitePath: ${JSON.stringify(slowSqlite)},
  onFailure: (error) => console.error(error.message),
});
await checkpointer.close();
console.log("closed");`,
    );
    const run = spawnSync(process.execPath, ["--import", "tsx", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("closed");
    expect(run.status).toBe(0);
  });
});
