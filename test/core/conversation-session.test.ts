import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/core/agent/conversation-agent.js";
import type { TurnEvent } from "../../src/core/agent/turn-event.js";
import { newTurnId } from "../../src/core/conversation/conversation-session.js";
import type { ConversationStore } from "../../src/ports/conversation-store.js";
import { createMemoryConversationStore } from "../../src/stores/memory/create-memory-conversation-store.js";
import { createSqliteConversationStore } from "../../src/stores/sqlite/create-sqlite-conversation-store.js";
import { openSqliteDatabase } from "../../src/stores/sqlite/open-sqlite-database.js";
import { createScriptedModel, type ScriptedTurn } from "../../src/testing/create-scripted-model.js";
import { createTestAgent } from "../helpers/test-agent.js";

async function openVoiceSession(
  replies: Array<string[] | ScriptedTurn>,
  store = createMemoryConversationStore(),
) {
  const agent = createTestAgent({
    store,
    model: createScriptedModel(replies.map((reply) => (Array.isArray(reply) ? { text: reply } : reply))),
  });
  const conversation = await store.createConversation({ channel: "voice" });
  return {
    store,
    agent,
    conversationId: conversation.id,
    session: await agent.openSession(conversation.id, "voice"),
  };
}

describe("ConversationSession turn order", () => {
  it("starts a turn at once when nothing is queued: a zero-latency reply streams before runTurn returns", async () => {
    const { session } = await openVoiceSession([["Hello", " there."]]);
    const events: string[] = [];
    const outcome = session.runTurn(
      { text: "Hi" },
      { onEvent: (event) => events.push(event.type === "text-delta" ? event.delta : event.type) },
    );
    expect(events).toEqual(["turn-start", "Hello", " there."]);
    expect((await outcome).text).toBe("Hello there.");
  });

  it("runs a turn started while another is queued after it, and keeps the stored order", async () => {
    const { session, store, conversationId } = await openVoiceSession([["One."], ["Two."]]);
    const order: string[] = [];
    const record = (label: string) => (event: TurnEvent) => {
      if (event.type === "turn-start" || event.type === "turn-end") order.push(`${label} ${event.type}`);
    };
    const first = session.runTurn({ text: "first" }, { onEvent: record("first") });
    const second = session.runTurn({ text: "second" }, { onEvent: record("second") });
    expect(order).toEqual(["first turn-start"]); // the second waits for the first to settle
    await Promise.all([first, second]);
    expect(order).toEqual(["first turn-start", "first turn-end", "second turn-start", "second turn-end"]);
    const texts = (await store.listMessages(conversationId)).map((message) => message.text);
    expect(texts).toEqual(["first", "One.", "second", "Two."]);
  });

  it("queues work started from inside a starting turn's listener behind that turn", async () => {
    const { session, store, conversationId } = await openVoiceSession([["Reply."]]);
    let appended: Promise<unknown> | undefined;
    const turn = session.runTurn(
      { text: "question" },
      {
        onEvent: (event) => {
          if (event.type === "turn-start") appended = session.appendAssistantText("Noted.");
        },
      },
    );
    await turn;
    await appended;
    const texts = (await store.listMessages(conversationId)).map((message) => message.text);
    expect(texts).toEqual(["question", "Reply.", "Noted."]);
  });
});

describe("ConversationAgent observers", () => {
  it("see a turn's events but its text deltas only when they ask, and get the timings at turn-end", async () => {
    const { agent, session } = await openVoiceSession([["Hello ", "there."]]);
    const plain: AgentEvent[] = [];
    const withDeltas: AgentEvent[] = [];
    agent.subscribe((event) => plain.push(event));
    const unsubscribe = agent.subscribe((event) => withDeltas.push(event), { textDeltas: true });
    const channelEvents: TurnEvent[] = [];
    await session.runTurn({ text: "hi" }, { onEvent: (event) => channelEvents.push(event) });

    expect(channelEvents.map((event) => event.type)).toEqual([
      "turn-start",
      "text-delta",
      "text-delta",
      "turn-end",
    ]);
    expect(withDeltas.map(({ event }) => event.type)).toEqual([
      "turn-start",
      "text-delta",
      "text-delta",
      "turn-end",
    ]);
    expect(plain.map(({ event }) => event.type)).toEqual(["turn-start", "turn-end"]);
    expect(plain[0]).toMatchObject({ conversationId: session.conversationId, channel: "voice" });
    const end = plain[1]?.event;
    if (end?.type !== "turn-end") throw new Error("no turn-end");
    expect(end.firstTextMs).toEqual(expect.any(Number));
    expect(end.firstTextMs).toBeGreaterThanOrEqual(0);
    expect(end.durationMs).toBeGreaterThanOrEqual(end.firstTextMs ?? 0);

    unsubscribe();
    expect(agent.observesTextDeltas).toBe(false);
    expect(agent.hasObservers).toBe(true);
  });
});

describe("ConversationSession with SQLite: a call's transcript in batches", () => {
  /**
   * Runs `body` with a SQLite store whose lazy delay is far beyond the test: only a read, a waiting
   * turn or the session itself can run the appends it holds back.
   */
  async function withBatchingStore(body: (store: ConversationStore) => Promise<void>): Promise<void> {
    const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-session-batch-"));
    const database = openSqliteDatabase(path.join(directory, "switchboard.db"), {
      lazyCommitDelayMs: 60_000,
    });
    try {
      await body(createSqliteConversationStore({ database }));
    } finally {
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    }
  }

  it("holds a voice turn's appends for the store's batch; a read or a turn queued behind runs them at once", async () => {
    await withBatchingStore(async (store) => {
      const { session, conversationId } = await openVoiceSession([["One."], ["Two."], ["Three."]], store);
      const first = session.runTurn({ text: "first" });
      let firstDone = false;
      void first.then(() => {
        firstDone = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(firstDone).toBe(false); // the reply went out; its transcript waits for the batch
      // Reads see the turn's messages all the same: each runs what was held back before it. The
      // reply's append waits in the same batch as the user message's, right behind it: one read
      // runs both.
      const texts = async () => (await store.listMessages(conversationId)).map((message) => message.text);
      expect(await texts()).toEqual(["first", "One."]);
      const readUntil = async (length: number) => {
        for (let attempt = 0; attempt < 100 && (await texts()).length < length; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return texts();
      };
      expect(await readUntil(2)).toEqual(["first", "One."]);
      await first;

      // A turn queued behind one whose appends are held back does not wait for the batch.
      const second = session.runTurn({ text: "second" });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const third = session.runTurn({ text: "third" });
      expect((await second).text).toBe("Two.");
      // The last turn's appends wait for the batch again (nothing waits behind it): reads run them.
      expect(await readUntil(6)).toEqual(["first", "One.", "second", "Two.", "third", "Three."]);
      expect((await third).text).toBe("Three.");
    });
  });

  it("stores a failed voice turn at once: its channel acts once it settles", async () => {
    await withBatchingStore(async (store) => {
      const { session } = await openVoiceSession([{ text: [], error: new Error("model down") }], store);
      // Settles without waiting for the 60 s batch (the test would time out).
      const outcome = await session.runTurn({ text: "hello?" });
      expect(outcome.error).toBeDefined();
      expect(outcome.userMessage?.text).toBe("hello?");
    });
  });
});

describe("ConversationAgent.settle (shutdown)", () => {
  it("waits for the turns in flight and their transcripts, and gives up at its limit on one that never ends", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-settle-"));
    const database = openSqliteDatabase(path.join(directory, "switchboard.db"));
    try {
      const store = createSqliteConversationStore({ database });
      const { agent, session, conversationId } = await openVoiceSession(
        [
          { text: ["Still", " going."], delayMs: 30 },
          { text: ["never"], delayMs: 60_000 },
        ],
        store,
      );
      await expect(agent.settle()).resolves.toBeUndefined(); // nothing in flight
      agent.closing = false;
      const turn = session.runTurn({ text: "hello" });
      await agent.settle();
      // Both written by now: had settle not waited, the reply (30 ms a token) would still stream.
      expect((await store.listMessages(conversationId)).map((message) => message.text)).toEqual([
        "hello",
        "Still going.",
      ]);
      expect((await turn).text).toBe("Still going.");

      const controller = new AbortController();
      let hangingEnded = false;
      const hanging = session.runTurn({ text: "again" }, { abortSignal: controller.signal }).finally(() => {
        hangingEnded = true;
      });
      await agent.settle(50);
      expect(hangingEnded).toBe(false); // settle gave up at its limit; the turn still runs
      controller.abort();
      expect((await hanging).aborted).toBe(true);
    } finally {
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("turn ids", () => {
  it("are turn_ and 20 hex digits, every one of them random", () => {
    const ids = Array.from({ length: 2000 }, () => newTurnId());
    for (const id of ids) expect(id).toMatch(/^turn_[0-9a-f]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // A UUID's version and variant digits never change (4; 8 to b): none of them may be in the id.
    for (let position = 5; position < 25; position++) {
      const digits = new Set(ids.map((id) => id[position]));
      expect(digits.size, `digit ${position - 5}`).toBeGreaterThanOrEqual(12);
    }
  });
});
