import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { DatabaseSync } from "@photostructure/sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConversationStore } from "../../src/ports/conversation-store.js";
import { createSqliteConversationStore } from "../../src/stores/sqlite/create-sqlite-conversation-store.js";
import { openSqliteDatabase } from "../../src/stores/sqlite/open-sqlite-database.js";
import { sqliteMigrations } from "../../src/stores/sqlite/sqlite-migrations.js";
import { conversationStoreContract } from "./conversation-store-contract.js";

const makeTemporaryDirectory = () => mkdtempSync(path.join(os.tmpdir(), "switchboard-sqlite-"));

conversationStoreContract("sqlite", async () => {
  const directory = makeTemporaryDirectory();
  const filename = path.join(directory, "nested", "switchboard.db");
  let current: ConversationStore = createSqliteConversationStore({ filename });
  return {
    store: current,
    async reopen() {
      await current.close();
      current = createSqliteConversationStore({ filename });
      return current;
    },
    async cleanup() {
      await current.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

describe("SQLite conversation store specifics", () => {
  let directory: string;
  let filename: string;
  const opened: ConversationStore[] = [];
  const open = (name = filename) => {
    const store = createSqliteConversationStore({ filename: name });
    opened.push(store);
    return store;
  };
  beforeEach(() => {
    directory = makeTemporaryDirectory();
    filename = path.join(directory, "data", "deeper", "switchboard.db");
  });
  const afterClose: Array<() => void> = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    for (const close of afterClose.splice(0)) close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("creates the parent directory and opens in WAL mode with the expected pragmas and schema", async () => {
    expect(existsSync(path.dirname(filename))).toBe(false);
    const store = open();
    expect(store.kind).toBe("sqlite");
    expect(existsSync(filename)).toBe(true);
    const database = openSqliteDatabase(filename);
    try {
      const pragma = (name: string) => database.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>;
      expect(pragma("journal_mode").journal_mode).toBe("wal");
      // NORMAL: the WAL is fsync'd by group commit off the event loop (sqlite-group-commit.test.ts).
      expect(pragma("synchronous").synchronous).toBe(1);
      expect(pragma("foreign_keys").foreign_keys).toBe(1);
      expect(pragma("busy_timeout").timeout).toBe(5000);
      expect(pragma("temp_store").temp_store).toBe(2);
      expect(pragma("user_version").user_version).toBe(sqliteMigrations.length);
      const uniqueSequence = database
        .prepare("SELECT name FROM pragma_index_list('messages') WHERE \"unique\" = 1")
        .all()
        .map((row) => (row as { name: string }).name);
      expect(uniqueSequence.length).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });

  it("opens a database an earlier Switchboard wrote with libsql, adds the migrations it lacks and keeps its messages", async () => {
    // Written by libsql 0.5 (SQLite 3.45) with the first 8 migrations: a conversation, two messages.
    const fixture = new URL("../fixtures/libsql-written-v8.db.gz", import.meta.url);
    mkdirSync(path.dirname(filename), { recursive: true });
    writeFileSync(filename, gunzipSync(readFileSync(fixture)));
    const store = open();
    expect((await store.getConversation("conv_libsql"))?.metadata).toEqual({ from: "+15551230000" });
    expect(
      (await store.listMessages("conv_libsql")).map((message) => [message.sequence, message.text]),
    ).toEqual([
      [1, "Is my order on its way?"],
      [2, "Yes, it ships today."],
    ]);
    const reply = await store.appendMessage({
      conversationId: "conv_libsql",
      role: "user",
      channel: "sms",
      text: "Thanks!",
    });
    expect(reply.sequence).toBe(3);
    await store.close();
    const database = openSqliteDatabase(filename, { checkpointInWorker: false });
    try {
      expect(database.prepare("PRAGMA user_version").get()).toMatchObject({
        user_version: sqliteMigrations.length,
      });
      expect(database.prepare("PRAGMA integrity_check").get()).toMatchObject({ integrity_check: "ok" });
    } finally {
      await database.close();
    }
  });

  it("reports a migration that fails, rolls it back and leaves the file to other connections", () => {
    mkdirSync(path.dirname(filename), { recursive: true });
    const squatter = new DatabaseSync(filename);
    squatter.exec("CREATE TABLE conversations (id TEXT)");
    squatter.close();
    expect(() => openSqliteDatabase(filename, { checkpointInWorker: false })).toThrow(/conversations/);
    const other = new DatabaseSync(filename);
    try {
      other.exec("PRAGMA busy_timeout = 0");
      expect(other.prepare("PRAGMA user_version").get()).toMatchObject({ user_version: 0 });
      expect(
        other.prepare("SELECT count(*) AS count FROM sqlite_master WHERE name = 'messages'").get(),
      ).toMatchObject({
        count: 0,
      });
      other.exec("INSERT INTO conversations (id) VALUES ('still writable')");
    } finally {
      other.close();
    }
  });

  it("lets a second connection (another process) see committed data and continue the same sequence", async () => {
    const firstDatabase = openSqliteDatabase(filename);
    const secondDatabase = openSqliteDatabase(filename);
    const first = createSqliteConversationStore({ database: firstDatabase });
    const second = createSqliteConversationStore({ database: secondDatabase });
    opened.push(first, second);
    afterClose.push(
      () => firstDatabase.close(),
      () => secondDatabase.close(),
    );
    const conversation = await first.createConversation({ channel: "sms", metadata: { from: "first" } });
    await first.appendMessage({ conversationId: conversation.id, role: "user", channel: "sms", text: "one" });
    expect(await second.getConversation(conversation.id)).toBeUndefined(); // not committed yet
    await firstDatabase.flush();
    expect((await second.getConversation(conversation.id))?.metadata).toEqual({ from: "first" });
    const fromSecond = await second.appendMessage({
      conversationId: conversation.id,
      role: "assistant",
      channel: "sms",
      text: "two",
    });
    expect(fromSecond.sequence).toBe(2);
    await secondDatabase.flush();
    const third = await first.appendMessage({
      conversationId: conversation.id,
      role: "user",
      channel: "sms",
      text: "three",
    });
    expect(third.sequence).toBe(3);
    await firstDatabase.flush();
    expect((await second.listMessages(conversation.id)).map((message) => message.text)).toEqual([
      "one",
      "two",
      "three",
    ]);
    await second.updateConversation(conversation.id, { metadata: { by: "second" } });
    await secondDatabase.flush();
    expect((await first.getConversation(conversation.id))?.metadata).toEqual({ from: "first", by: "second" });
  });

  it("shares a database opened by the caller and leaves it open on close", async () => {
    const database = openSqliteDatabase(filename);
    try {
      const store = createSqliteConversationStore({ database });
      const conversation = await store.createConversation({ channel: "web" });
      await store.close();
      const row = database.prepare("SELECT id FROM conversations WHERE id = ?").get(conversation.id) as
        | { id: string }
        | undefined;
      expect(row?.id).toBe(conversation.id);
    } finally {
      await database.close();
    }
  });

  it("refuses every call once closed (ping reports it unreachable) and writes nothing", async () => {
    const store = open();
    await expect(store.ping()).resolves.toBeUndefined();
    const conversation = await store.createConversation({ channel: "web" });
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: "STORE_CLOSED" });
    await expect(store.getConversation(conversation.id)).rejects.toMatchObject({ code: "STORE_CLOSED" });
    await expect(
      store.appendMessage({ conversationId: conversation.id, role: "user", channel: "web", text: "late" }),
    ).rejects.toMatchObject({ code: "STORE_CLOSED" });
    expect(await open().listMessages(conversation.id)).toEqual([]);
  });

  it("works on an in-memory database without touching the file system", async () => {
    const store = open(":memory:");
    const conversation = await store.createConversation({ channel: "web" });
    const message = await store.appendMessage({
      conversationId: conversation.id,
      role: "user",
      channel: "web",
      text: "hi",
    });
    expect(message.sequence).toBe(1);
    expect((await store.listMessages(conversation.id)).map((stored) => stored.text)).toEqual(["hi"]);
    expect(existsSync(path.join(process.cwd(), ":memory:"))).toBe(false);
  });
});
