import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LanguageModelV3Prompt } from "@ai-sdk/provider";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createStores } from "../../../src/app/create-stores.js";
import { loadConfig } from "../../../src/config/config.js";
import { createLogger } from "../../../src/observability/logger.js";
import type { DirectStreamModel } from "../../../src/ports/direct-stream-model.js";
import { createScriptedModel, type ScriptedModel } from "../../../src/testing/create-scripted-model.js";
import { eventually, postForm, startTestServer, type TestServer } from "../../helpers/start-test-server.js";

const silentLogger = createLogger({ level: "silent", logCustomerContent: false });

const customer = "+14155550123";

describe("AsyncReplyRunner session reuse", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function sms(messageSid: string, body: string) {
    const response = await postForm(`${server!.baseUrl}/twilio/sms`, {
      MessageSid: messageSid,
      From: customer,
      To: "+18885550100",
      Body: body,
    });
    expect(response.status).toBe(200);
  }

  const promptTexts = (model: ScriptedModel, call: number) =>
    (model.calls[call]?.prompt ?? []).flatMap((message) =>
      typeof message.content === "string"
        ? []
        : message.content.flatMap((part) => (part.type === "text" ? [part.text] : [])),
    );

  it("answers the next SMS of a conversation from the kept session, reading two messages, not the history", async () => {
    const model = createScriptedModel([{ text: ["First answer."] }, { text: ["Second answer."] }]);
    server = await startTestServer({}, { model });
    const listMessages = vi.spyOn(server.app.store, "listMessages");

    await sms("SMreuse1", "First question");
    await eventually(() => (model.calls.length === 1 ? true : undefined), "first reply");
    await server.app.idle();
    const historyReads = () =>
      listMessages.mock.calls.filter(([, options]) => (options?.limit ?? 0) > 3).length;
    expect(historyReads()).toBe(1);

    await sms("SMreuse2", "Second question");
    await eventually(() => (model.calls.length === 2 ? true : undefined), "second reply");
    await server.app.idle();
    expect(historyReads()).toBe(1); // the second reply reused the session
    expect(promptTexts(model, 1)).toEqual(
      expect.arrayContaining(["First question", "First answer.", "Second question"]),
    );
  });

  /** A model whose first call waits until `release()`: texts sent meanwhile arrive during that reply. */
  function gatedModel(script: Parameters<typeof createScriptedModel>[0]) {
    const scripted = createScriptedModel(script);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const state = { waiting: false };
    const wait = async () => {
      if (scripted.calls.length > 0) return;
      state.waiting = true;
      await gate;
    };
    // Both ways of streaming wait at the gate (the turn runner uses `doStreamTo`).
    const model: DirectStreamModel = {
      ...scripted,
      doStream: async (options) => {
        await wait();
        return scripted.doStream(options);
      },
      doStreamTo: async (options, onPart) => {
        await wait();
        return scripted.doStreamTo(options, onPart);
      },
    };
    /** Resolves once the first reply's model call waits at the gate. */
    const firstCallWaiting = () =>
      eventually(() => (state.waiting ? true : undefined), "the first model call");
    return { scripted, model, release, firstCallWaiting };
  }

  const roleAndText = (prompt: LanguageModelV3Prompt | undefined) =>
    (prompt ?? [])
      .filter((message) => message.role !== "system")
      .map((message) => {
        const text =
          typeof message.content === "string"
            ? message.content
            : message.content.map((part) => (part.type === "text" ? part.text : "")).join("");
        return `${message.role}: ${text}`;
      });

  it("answers texts that arrived during a reply after that reply, with the prompt ending on the customer", async () => {
    const { scripted, model, release, firstCallWaiting } = gatedModel([
      { text: ["Answer one."] },
      { text: ["Answer two."] },
    ]);
    server = await startTestServer({}, { model });
    await sms("SMgate1", "First question");
    await firstCallWaiting();
    await sms("SMgate2", "Second question"); // stored while the first reply waits for the model
    await server.app.inbound.idle();
    release();
    await eventually(() => (scripted.calls.length === 2 ? true : undefined), "second reply");
    await server.app.idle();
    // Stored order is [first, second, answer one]; the second reply sees what it said, then the question.
    expect(roleAndText(scripted.calls[1]?.prompt)).toEqual([
      "user: First question",
      "assistant: Answer one.",
      "user: Second question",
    ]);
  });

  it("answers a burst of texts stored before its reply started with one reply", async () => {
    const { scripted, model, release, firstCallWaiting } = gatedModel([
      { text: ["Answer one."] },
      { text: ["Answer to both."] },
      { text: ["Never used."] },
    ]);
    server = await startTestServer({}, { model });
    await sms("SMburst1", "Hello");
    await firstCallWaiting();
    await sms("SMburst2", "Where is my order?");
    await sms("SMburst3", "It is number 42.");
    await server.app.inbound.idle(); // both stored before the first reply goes on
    release();
    await eventually(() => (scripted.calls.length >= 2 ? true : undefined), "replies");
    await server.app.idle();
    // The first reply was already running (its prompt: the first text). The second covers the
    // second and third texts together; the third gets no reply of its own.
    expect(scripted.calls).toHaveLength(2);
    expect(roleAndText(scripted.calls[1]?.prompt).slice(-3)).toEqual([
      "assistant: Answer one.",
      "user: Where is my order?",
      "user: It is number 42.",
    ]);
    expect(await server.app.stores.messagingState.listPendingTurns()).toEqual([]);
    const replies = await server.app.stores.outbox.listOutbound({});
    const bodies = replies.map((entry) => (entry.payload.kind === "sms" ? entry.payload.body : ""));
    expect(bodies.sort()).toEqual(["Answer one.", "Answer to both."]);
  });

  it("answers a backlog longer than the history window with one reply that ends on the newest text", async () => {
    const { scripted, model, release, firstCallWaiting } = gatedModel([
      { text: ["Answer one."] },
      { text: ["Answer to the rest."] },
      { text: ["Never used."] },
    ]);
    server = await startTestServer({}, { model });
    await sms("SMwin0", "Hello");
    await firstCallWaiting();
    for (let index = 1; index <= 45; index++) await sms(`SMwin${index}`, `Text ${index}`);
    await server.app.inbound.idle();
    release();
    await server.app.idle();
    // 45 texts waited; the history window holds 40 messages, so the oldest of them are outside it.
    expect(scripted.calls).toHaveLength(2);
    const texts = roleAndText(scripted.calls[1]?.prompt);
    expect(texts.at(-1)).toBe("user: Text 45");
    expect(texts.filter((text) => text === "user: Text 1")).toHaveLength(0);
    expect(await server.app.stores.messagingState.listPendingTurns()).toEqual([]);
    const bodies = (await server.app.stores.outbox.listOutbound({})).map((entry) =>
      entry.payload.kind === "sms" ? entry.payload.body : "",
    );
    expect(bodies.sort()).toEqual(["Answer one.", "Answer to the rest."]);
  });

  it("lets one of two processes sharing the store answer a pending turn; the other leaves it", async () => {
    const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-two-"));
    const stores = await createStores(
      loadConfig({ NODE_ENV: "test", STORE: "memory", DATA_DIR: dataDirectory }),
      silentLogger,
    );
    const first = gatedModel([{ text: ["The one answer."] }]);
    server = await startTestServer({}, { stores, model: first.model });
    await sms("SMtwo1", "Are you there?");
    await first.firstCallWaiting(); // the first process holds the turn
    const secondModel = createScriptedModel([{ text: ["A second answer."] }]);
    // A second process starts on the same store (a rolling deploy) and finds the turn pending.
    const second = await startTestServer({}, { stores, model: secondModel });
    try {
      await eventually(
        () => (second.app.replies.waitingForLease === 1 ? true : undefined),
        "the second process to find the turn claimed",
      );
      first.release();
      await server.app.idle();
      expect(await stores.messagingState.listPendingTurns()).toEqual([]);
      const bodies = (await stores.outbox.listOutbound({})).map((entry) =>
        entry.payload.kind === "sms" ? entry.payload.body : "",
      );
      expect(bodies).toEqual(["The one answer."]);
    } finally {
      await second.close(); // its one more try, due after the lease, is dropped
      rmSync(dataDirectory, { recursive: true, force: true });
    }
    expect(secondModel.calls).toHaveLength(0);
  });

  it("reloads when something else was written to the conversation in between", async () => {
    const model = createScriptedModel([{ text: ["First answer."] }, { text: ["Second answer."] }]);
    server = await startTestServer({}, { model });
    await sms("SMreload1", "First question");
    await eventually(() => (model.calls.length === 1 ? true : undefined), "first reply");
    await server.app.idle();

    // Another channel (here, directly the store) adds to the same conversation.
    const [conversation] = await server.app.store.listConversations({ limit: 1 });
    expect(conversation).toBeDefined();
    await server.app.store.appendMessage({
      conversationId: conversation!.id,
      role: "assistant",
      channel: "voice",
      text: "Said on a call in between.",
    });

    await sms("SMreload2", "Second question");
    await eventually(() => (model.calls.length === 2 ? true : undefined), "second reply");
    expect(promptTexts(model, 1).join(" ")).toContain("Said on a call in between.");
  });
});
