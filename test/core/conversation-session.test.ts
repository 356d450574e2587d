import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/core/agent/conversation-agent.js";
import { ConversationAgent } from "../../src/core/agent/conversation-agent.js";
import type { TurnEvent } from "../../src/core/agent/turn-event.js";
import { createToolSet } from "../../src/core/tools/tool-set.js";
import type { ChannelName } from "../../src/ports/channel.js";
import type { ConversationStore } from "../../src/ports/conversation-store.js";
import { createMemoryConversationStore } from "../../src/stores/memory/create-memory-conversation-store.js";
import { createSqliteConversationStore } from "../../src/stores/sqlite/create-sqlite-conversation-store.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";

// SQLite holds a live channel's transcript appends back until its next statement or commit.
const sqliteStore = () => createSqliteConversationStore({ filename: ":memory:" });
const stores: Record<string, () => ConversationStore> = {
  memory: createMemoryConversationStore,
  sqlite: sqliteStore,
};

async function openVoiceSession(
  replies: string[][],
  store: ConversationStore = createMemoryConversationStore(),
  channel: ChannelName = "voice",
) {
  const model = createScriptedModel(replies.map((text) => ({ text })));
  const agent = new ConversationAgent({
    store,
    model,
    toolSet: createToolSet([]),
    systemPrompt: "You are a test agent.",
    channelInstructions: {},
    maxSteps: 2,
    maxOutputTokens: 100,
    temperature: undefined,
    historyLimit: 40,
    historyBudgetChars: 100_000,
    keepRecentMessages: 4,
  });
  const conversation = await store.createConversation({ channel });
  return {
    store,
    agent,
    model,
    conversationId: conversation.id,
    session: await agent.openSession(conversation.id, channel),
  };
}

describe.each(Object.entries(stores))("ConversationSession turn order (%s store)", (_name, createStore) => {
  it("starts a turn at once when nothing is queued: a zero-latency reply streams before runTurn returns", async () => {
    const { session } = await openVoiceSession([["Hello", " there."]], createStore());
    const events: string[] = [];
    const outcome = session.runTurn(
      { text: "Hi" },
      { onEvent: (event) => events.push(event.type === "text-delta" ? event.delta : event.type) },
    );
    expect(events).toEqual(["turn-start", "Hello", " there."]);
    expect((await outcome).text).toBe("Hello there.");
  });

  it("runs a turn started while another is queued after it, and keeps the stored order", async () => {
    const { session, store, conversationId } = await openVoiceSession([["One."], ["Two."]], createStore());
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
    const { session, store, conversationId } = await openVoiceSession([["Reply."]], createStore());
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

describe("A live channel's held transcript (SQLite)", () => {
  const pendingAfterATick = async (promise: Promise<unknown>) => {
    let settled = false;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await new Promise((resolve) => setImmediate(resolve));
    return !settled;
  };

  it.each(["voice", "web"] as const)(
    "%s: the outcome comes before the transcript is written; the next turn writes it at once and sees it",
    async (channel) => {
      const store = sqliteStore();
      const { session, model } = await openVoiceSession([["One."], ["Two."]], store, channel);
      const first = await session.runTurn({ text: "first" });
      expect(first.text).toBe("One.");
      expect(await pendingAfterATick(first.stored)).toBe(true);

      const second = await session.runTurn({ text: "second" });
      await expect(first.stored).resolves.toBeUndefined();
      const secondPrompt = model.calls[1]?.prompt.map((message) =>
        typeof message.content === "string"
          ? message.content
          : message.content.map((part) => ("text" in part ? part.text : "")).join(""),
      );
      expect(secondPrompt?.slice(1)).toEqual(["first", "One.", "second"]);
      await second.stored;
      const stored = await store.listMessages(session.conversationId);
      expect(stored.map((message) => [message.sequence, message.role, message.text])).toEqual([
        [1, "user", "first"],
        [2, "assistant", "One."],
        [3, "user", "second"],
        [4, "assistant", "Two."],
      ]);
      expect(session.messages().map((message) => message.id)).toEqual(stored.map((message) => message.id));
      await store.close();
    },
  );

  it("an interruption trims the held reply once it is written", async () => {
    const store = sqliteStore();
    const { session } = await openVoiceSession([["Your order ships ", "on Monday."]], store);
    const outcome = await session.runTurn({ text: "when?" });
    expect(await pendingAfterATick(outcome.stored)).toBe(true);
    await session.recordInterruption("Your order ships");
    const stored = await store.listMessages(session.conversationId);
    expect(stored.map((message) => [message.text, message.interrupted])).toEqual([
      ["when?", false],
      ["Your order ships", true],
    ]);
    await store.close();
  });

  it("a message stored by another channel meanwhile comes after the held ones", async () => {
    const store = sqliteStore();
    const { session } = await openVoiceSession([["Held reply."]], store);
    await session.runTurn({ text: "spoken" });
    const texted = await store.appendMessage({
      conversationId: session.conversationId,
      role: "user",
      channel: "sms",
      text: "texted",
    });
    expect(texted.sequence).toBe(3);
    expect((await store.listMessages(session.conversationId)).map((message) => message.text)).toEqual([
      "spoken",
      "Held reply.",
      "texted",
    ]);
    await store.close();
  });

  it("an SMS session's outcome waits for its transcript (no held appends off live channels)", async () => {
    const store = sqliteStore();
    const { session } = await openVoiceSession([["Texted reply."]], store, "sms");
    const outcome = await session.runTurn({ text: "hello" });
    expect(await pendingAfterATick(outcome.stored)).toBe(false);
    expect(session.lastUserSequence).toBe(1);
    await store.close();
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
