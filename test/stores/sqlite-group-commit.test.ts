import { fstatSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "@photostructure/sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteDatabase, type SqliteDatabase } from "../../src/stores/sqlite/open-sqlite-database.js";

describe("SQLite group commit", () => {
  let directory: string;
  let writer: SqliteDatabase;
  let reader: SqliteDatabase;

  beforeEach(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-group-commit-"));
    const filename = path.join(directory, "switchboard.db");
    writer = openSqliteDatabase(filename);
    writer.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
    writer.exec(
      "CREATE TABLE children (id INTEGER PRIMARY KEY, note_id INTEGER REFERENCES notes(id) DEFERRABLE INITIALLY DEFERRED)",
    );
    reader = openSqliteDatabase(filename);
  });
  afterEach(async () => {
    // Both checkpointer workers must have closed the files before the folder goes.
    await Promise.all([writer.close(), reader.close()]);
    rmSync(directory, { recursive: true, force: true });
  });

  const count = () => (reader.prepare("SELECT COUNT(*) AS n FROM notes").get() as { n: number }).n;

  it("commits every write of one event-loop turn once, and flush resolves after that commit", async () => {
    const insert = writer.prepare("INSERT INTO notes (text) VALUES (?)");
    const before = writer.commits;
    const flushes = [];
    for (let index = 0; index < 50; index++) {
      insert.run(`note ${index}`);
      flushes.push(writer.flush());
    }
    // Visible on the writing connection at once, not yet on another connection.
    expect((writer.prepare("SELECT COUNT(*) AS n FROM notes").get() as { n: number }).n).toBe(50);
    expect(count()).toBe(0);
    await Promise.all(flushes);
    expect(count()).toBe(50);
    expect(writer.commits - before).toBe(1);
  });

  it("commits writes nobody waits for within the lazy delay, several event-loop turns in one commit", async () => {
    // Its own connection with a lazy delay long enough that a busy machine cannot reach it between
    // the three turns below.
    await writer.close();
    writer = openSqliteDatabase(path.join(directory, "switchboard.db"), { lazyCommitDelayMs: 250 });
    const insert = writer.prepare("INSERT INTO notes (text) VALUES (?)");
    const before = writer.commits;
    for (const text of ["turn one", "turn two", "turn three"]) {
      insert.run(text);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(writer.commits).toBe(before); // still gathering
    expect(count()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(writer.commits).toBe(before + 1);
    expect(count()).toBe(3);
  });

  it("resolves flush at once when nothing is pending, and commits later writes in a new group", async () => {
    await writer.flush();
    const insert = writer.prepare("INSERT INTO notes (text) VALUES (?)");
    insert.run("first");
    await writer.flush();
    insert.run("second");
    await writer.flush();
    expect(count()).toBe(2);
  });

  it("rolls back only the failing transaction body; the rest of the group is kept", async () => {
    const insert = writer.prepare("INSERT INTO notes (text) VALUES (?)");
    const insertTwo = writer.transaction((first: string, second: string) => {
      insert.run(first);
      insert.run(second);
    });
    insertTwo("a", "b");
    expect(() => insertTwo("c", "a")).toThrow(/UNIQUE/);
    insert.run("d");
    await writer.flush();
    const texts = (reader.prepare("SELECT text FROM notes ORDER BY id").all() as Array<{ text: string }>).map(
      (row) => row.text,
    );
    expect(texts).toEqual(["a", "b", "d"]);
  });

  it("rejects every waiter of a group whose COMMIT fails, and keeps none of its writes", async () => {
    writer.prepare("INSERT INTO notes (text) VALUES (?)").run("lost with the group");
    // A deferred foreign key is checked at COMMIT: this makes the group's commit fail.
    writer.prepare("INSERT INTO children (note_id) VALUES (?)").run(999);
    await expect(writer.flush()).rejects.toThrow(/FOREIGN KEY/);
    expect(count()).toBe(0);
    writer.prepare("INSERT INTO notes (text) VALUES (?)").run("next group");
    await writer.flush();
    expect(count()).toBe(1);
  });

  it("resolves flush only after the WAL file is fsync'd; writes made during an fsync share the next commit and fsync", async () => {
    const filename = path.join(directory, "synced.db");
    const fsyncCalls: Array<{ inode: number; release: () => void }> = [];
    const database = openSqliteDatabase(filename, {
      fsync: (descriptor) =>
        new Promise<void>((resolve) =>
          fsyncCalls.push({ inode: fstatSync(descriptor).ino, release: resolve }),
        ),
    });
    try {
      database.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
      const insert = database.prepare("INSERT INTO notes (text) VALUES (?)");
      insert.run("one");
      let firstKept = false;
      const first = database.flush().then(() => {
        firstKept = true;
      });
      await new Promise((resolve) => setImmediate(resolve)); // the group commits
      expect(database.commits).toBe(1);
      expect(fsyncCalls).toHaveLength(1);
      expect(fsyncCalls[0]?.inode).toBe(statSync(`${filename}-wal`).ino);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(firstKept).toBe(false); // committed, but not yet on disk

      // Writes of three more event-loop turns while that fsync runs: they could not be acknowledged
      // before the next fsync anyway, so they wait for it in one open group, committed once it ends.
      const later: Array<Promise<void>> = [];
      for (const text of ["two", "three", "four"]) {
        insert.run(text);
        later.push(database.flush());
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(database.commits).toBe(1);
      expect(fsyncCalls).toHaveLength(1);
      fsyncCalls[0]?.release();
      await first;
      expect(firstKept).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(database.commits).toBe(2);
      expect(fsyncCalls).toHaveLength(2);
      fsyncCalls[1]?.release();
      await Promise.all(later);
      expect(fsyncCalls).toHaveLength(2);
      const reader = new DatabaseSync(filename, { readOnly: true });
      try {
        expect(reader.prepare("SELECT count(*) AS count FROM notes").get()).toMatchObject({ count: 4 });
      } finally {
        reader.close();
      }
    } finally {
      for (const call of fsyncCalls) call.release();
      await database.close();
    }
  });

  it("rejects flush when the fsync fails", async () => {
    const database = openSqliteDatabase(path.join(directory, "failing.db"), {
      fsync: () => Promise.reject(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" })),
    });
    try {
      database.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
      database.prepare("INSERT INTO notes (text) VALUES (?)").run("not known to be kept");
      await expect(database.flush()).rejects.toThrow(/EIO/);
    } finally {
      await database.close();
    }
  });

  it("runs deferred writes back to back right before the commit they ask for, each with its own result or error", async () => {
    const insertOnce = writer.prepare("INSERT INTO notes (text) VALUES (?) ON CONFLICT DO NOTHING");
    const insert = writer.prepare("INSERT INTO notes (text) VALUES (?)");
    const before = writer.commits;
    const writes = [
      writer.deferWrite(() => insertOnce.run("x").changes),
      writer.deferWrite(() => insertOnce.run("x").changes),
      writer.deferWrite(() => insert.run("x").changes),
      writer.deferWrite(() => insertOnce.run("y").changes),
    ];
    // Not run yet: not even the writing connection sees them.
    expect((writer.prepare("SELECT COUNT(*) AS n FROM notes").get() as { n: number }).n).toBe(0);
    const settled = await Promise.allSettled(writes);
    expect(settled.map((result) => (result.status === "fulfilled" ? result.value : "rejected"))).toEqual([
      1,
      0,
      "rejected",
      1,
    ]);
    expect(settled[2]?.status === "rejected" && String(settled[2].reason)).toMatch(/UNIQUE/);
    expect(writer.commits - before).toBe(1);
    await writer.flush();
    expect(count()).toBe(2);
  });

  it("holds batched writes back until another statement runs, each with its own result or error", async () => {
    const insert = writer.prepare("INSERT INTO notes (text) VALUES (?)");
    const ran: string[] = [];
    const batched = ["a", "b", "a"].map((text) =>
      writer.batchWrite(() => {
        ran.push(text);
        return insert.run(text).changes;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual([]); // held back
    // A read on the writing connection runs them first, in order: it sees what was written before it.
    expect((writer.prepare("SELECT COUNT(*) AS n FROM notes").get() as { n: number }).n).toBe(2);
    expect(ran).toEqual(["a", "b", "a"]);
    const settled = await Promise.allSettled(batched);
    expect(settled.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect(settled[2]?.status === "rejected" && String(settled[2].reason)).toMatch(/UNIQUE/);
    await writer.flush();
    expect(count()).toBe(2);
  });

  it("runs batched writes at the lazy delay, or at once when asked, and commits them together", async () => {
    await writer.close();
    writer = openSqliteDatabase(path.join(directory, "switchboard.db"), { lazyCommitDelayMs: 100 });
    const insert = writer.prepare("INSERT INTO notes (text) VALUES (?)");
    const before = writer.commits;
    const first = [writer.batchWrite(() => insert.run("one")), writer.batchWrite(() => insert.run("two"))];
    await Promise.all(first);
    expect(count()).toBe(2); // run and committed by the lazy delay, without anybody asking
    expect(writer.commits - before).toBe(1);

    const asked = writer.batchWrite(() => insert.run("three").changes);
    writer.runBatchedWrites();
    await expect(asked).resolves.toBe(1);
    const atClose = writer.batchWrite(() => insert.run("four").changes);
    await writer.close();
    await expect(atClose).resolves.toBe(1);
    expect(count()).toBe(4);
  });

  it("runs pending deferred writes at close, and refuses them after it", async () => {
    const insert = writer.prepare("INSERT INTO notes (text) VALUES (?)");
    const pending = writer.deferWrite(() => insert.run("kept at close").changes);
    await writer.close();
    await expect(pending).resolves.toBe(1);
    expect(count()).toBe(1);
    await expect(writer.deferWrite(() => insert.run("too late").changes)).rejects.toThrow(/closed/);
    expect(count()).toBe(1);
  });

  it("commits what is pending when closed", async () => {
    writer.prepare("INSERT INTO notes (text) VALUES (?)").run("kept at close");
    await writer.close();
    expect(count()).toBe(1);
  });

  it("binds parameters positionally, from one array or nested arrays, or by name from an object", () => {
    const select = "SELECT ?1 AS a, ?2 AS b, ?3 AS c";
    const direct = new DatabaseSync(":memory:").prepare(select);
    const wrapped = writer.prepare(select);
    const named = writer.prepare("SELECT :x AS x, :y AS y");
    expect({ ...direct.get("one", 2, null) }).toEqual({ a: "one", b: 2, c: null });
    for (const parameters of [
      ["one", 2, null],
      [["one", 2, null]],
      ["one", [2, null]],
      [["one"], [2], null],
    ]) {
      expect({ ...(wrapped.get(...parameters) as object) }).toEqual({ a: "one", b: 2, c: null });
    }
    // A BLOB is one value, not an array to spread.
    const blobs = wrapped.get(Buffer.from("ab"), new Uint8Array([1]), 3) as Record<
      string,
      Uint8Array | number
    >;
    expect([Buffer.from(blobs.a as Uint8Array).toString(), [...(blobs.b as Uint8Array)], blobs.c]).toEqual([
      "ab",
      [1],
      3,
    ]);
    expect({ ...(named.get({ x: "ex", y: 7 }) as object) }).toEqual({ x: "ex", y: 7 });
    expect(wrapped.all(1, 2, 3).map((row) => ({ ...(row as object) }))).toEqual([{ a: 1, b: 2, c: 3 }]);
    const insert = writer.prepare("INSERT INTO notes (text) VALUES (?)");
    expect(insert.run(["from an array"]).changes).toBe(1);
  });
});
