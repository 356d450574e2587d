import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
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
  afterEach(() => {
    writer.close();
    reader.close();
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

  it("commits what is pending when closed", () => {
    writer.prepare("INSERT INTO notes (text) VALUES (?)").run("kept at close");
    writer.close();
    expect(count()).toBe(1);
  });
});
