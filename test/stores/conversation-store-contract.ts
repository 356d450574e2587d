import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NotFoundError } from "../../src/errors/not-found-error.js";
import type { CallSession, ConversationStore, NewMessage } from "../../src/ports/conversation-store.js";

export interface StoreHarness {
  store: ConversationStore;
  /** Closes the store and opens it again on the same data (a restart); absent for memory. */
  reopen?: () => Promise<ConversationStore>;
  cleanup: () => Promise<void>;
}

const call = (callSid: string, conversationId: string): CallSession => ({
  callSid,
  sessionId: null,
  conversationId,
  from: "+14155550123",
  to: "+18885550100",
  direction: "inbound",
  status: "ringing",
  startedAt: 1_700_000_000_000,
  endedAt: null,
  durationSeconds: null,
  handoffData: null,
  errorCode: null,
  errorMessage: null,
});

const userMessage = (conversationId: string, text: string): NewMessage => ({
  conversationId,
  role: "user",
  channel: "web",
  text,
});

const texts = (messages: { text: string }[]) => messages.map((message) => message.text);
const ids = (conversations: { id: string }[]) => conversations.map((conversation) => conversation.id);
const oneToN = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

/** The one contract every ConversationStore implementation passes. */
export function conversationStoreContract(name: string, makeStore: () => Promise<StoreHarness>): void {
  describe(`ConversationStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: ConversationStore;
    beforeEach(async () => {
      harness = await makeStore();
      store = harness.store;
    });
    afterEach(async () => {
      vi.restoreAllMocks();
      await harness.cleanup();
    });

    it("creates, reads and updates conversations", async () => {
      const startedAt = Date.now();
      const created = await store.createConversation({
        channel: "voice",
        externalRef: "+14155550123",
        metadata: { a: 1 },
      });
      expect(created.id).toMatch(/^conv_[0-9a-f]{32}$/);
      expect(created).toMatchObject({
        channel: "voice",
        customerId: null,
        externalRef: "+14155550123",
        metadata: { a: 1 },
      });
      expect(created.createdAt).toBeGreaterThanOrEqual(startedAt);
      expect(created.createdAt).toBeLessThan(Date.now() + 60_000);
      expect(created.updatedAt).toBe(created.createdAt);
      expect(await store.getConversation(created.id)).toEqual(created);
      const explicit = await store.createConversation({ id: "conv_explicit", channel: "sms" });
      expect(explicit.id).toBe("conv_explicit");
      expect((await store.getConversation("conv_explicit"))?.channel).toBe("sms");
      const updated = await store.updateConversation(created.id, { customerId: "cus_1", metadata: { b: 2 } });
      expect(updated.customerId).toBe("cus_1");
      expect(updated.metadata).toEqual({ a: 1, b: 2 });
      expect(updated.updatedAt).toBeGreaterThan(created.updatedAt);
      expect(updated.createdAt).toBe(created.createdAt);
      expect(await store.getConversation(created.id)).toEqual(updated);
      expect(await store.getConversation("conv_missing")).toBeUndefined();
      await expect(store.updateConversation("conv_missing", { customerId: "x" })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it("refuses an explicit id that is taken and keeps the existing conversation", async () => {
      const original = await store.createConversation({ id: "conv_taken", channel: "sms", externalRef: "a" });
      await store.appendMessage(userMessage(original.id, "kept"));
      await expect(
        store.createConversation({ id: "conv_taken", channel: "voice", externalRef: "b" }),
      ).rejects.toMatchObject({ code: "CONVERSATION_EXISTS" });
      expect(await store.getConversation("conv_taken")).toMatchObject({ channel: "sms", externalRef: "a" });
      expect(texts(await store.listMessages("conv_taken"))).toEqual(["kept"]);
    });

    it("merges metadata patches shallowly and keeps what a patch leaves out", async () => {
      const conversation = await store.createConversation({
        channel: "web",
        customerId: "cus_1",
        metadata: { a: 1, nested: { x: 1, y: 2 } },
      });
      await store.updateConversation(conversation.id, { metadata: { nested: { x: 9 }, b: "two" } });
      await store.updateConversation(conversation.id, { customerId: null });
      const stored = await store.getConversation(conversation.id);
      expect(stored?.metadata).toEqual({ a: 1, nested: { x: 9 }, b: "two" });
      expect(stored?.customerId).toBeNull();
      const renamed = await store.updateConversation(conversation.id, { customerId: "cus_2" });
      expect(renamed).toMatchObject({ customerId: "cus_2", metadata: { a: 1, nested: { x: 9 }, b: "two" } });
    });

    it("lists conversations newest first, with limit and paging", async () => {
      const first = await store.createConversation({ channel: "voice" });
      const second = await store.createConversation({ channel: "sms" });
      const third = await store.createConversation({ channel: "email" });
      await store.appendMessage({ conversationId: first.id, role: "user", channel: "voice", text: "bump" });
      expect(ids(await store.listConversations())).toEqual([first.id, third.id, second.id]);
      const page = await store.listConversations({ limit: 2 });
      expect(ids(page)).toEqual([first.id, third.id]);
      const next = await store.listConversations({ before: page[1]?.updatedAt ?? 0 });
      expect(ids(next)).toEqual([second.id]);
      const updatedSecond = await store.updateConversation(second.id, { metadata: { touched: true } });
      expect(ids(await store.listConversations({ limit: 1 }))).toEqual([second.id]);
      expect(ids(await store.listConversations({ before: updatedSecond.updatedAt }))).toEqual([
        first.id,
        third.id,
      ]);
      expect(await store.listConversations({ before: 1 })).toEqual([]);
    });

    it("lists at most 50 conversations by default and pages through all of them once", async () => {
      const created: string[] = [];
      for (let index = 0; index < 53; index++) {
        created.push((await store.createConversation({ channel: "sms", externalRef: `ref${index}` })).id);
      }
      const newestFirst = [...created].reverse();
      expect(ids(await store.listConversations())).toEqual(newestFirst.slice(0, 50));
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let before: number | undefined;
      // Bounded, so a store whose `before` is not strict fails instead of paging forever.
      for (let pageIndex = 0; pageIndex < 5; pageIndex++) {
        const page = await store.listConversations({
          limit: 20,
          ...(before === undefined ? {} : { before }),
        });
        if (page.length === 0) break;
        pageSizes.push(page.length);
        seen.push(...ids(page));
        before = page.at(-1)?.updatedAt;
      }
      expect(pageSizes).toEqual([20, 20, 13]);
      expect(seen).toEqual(newestFirst);
    });

    it("finds the latest conversation of an address", async () => {
      const older = await store.createConversation({ channel: "voice", externalRef: "+14155550123" });
      await store.createConversation({ channel: "sms", externalRef: "+19995550000" });
      const newer = await store.createConversation({ channel: "sms", externalRef: "+14155550123" });
      expect((await store.findLatestConversationByExternalRef("+14155550123"))?.id).toBe(newer.id);
      await store.appendMessage({ conversationId: older.id, role: "user", channel: "voice", text: "again" });
      expect((await store.findLatestConversationByExternalRef("+14155550123"))?.id).toBe(older.id);
      expect(await store.findLatestConversationByExternalRef("+10000000000")).toBeUndefined();
    });

    it("appends messages in order with increasing sequences and all fields", async () => {
      const conversation = await store.createConversation({ channel: "voice" });
      const user = await store.appendMessage({
        conversationId: conversation.id,
        role: "user",
        channel: "voice",
        text: "1",
        inputKind: "dtmf",
        metadata: { lang: "en-US" },
      });
      const assistant = await store.appendMessage({
        conversationId: conversation.id,
        role: "assistant",
        channel: "voice",
        text: "",
        interrupted: true,
        toolCalls: [{ toolCallId: "c1", toolName: "send_digits", input: { digits: "1" } }],
      });
      const tool = await store.appendMessage({
        conversationId: conversation.id,
        role: "tool",
        channel: "voice",
        text: "",
        toolResults: [{ toolCallId: "c1", toolName: "send_digits", output: { ok: true }, isError: false }],
      });
      expect([user.sequence, assistant.sequence, tool.sequence]).toEqual([1, 2, 3]);
      expect(user.id).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(new Set([user.id, assistant.id, tool.id]).size).toBe(3);
      expect(user).toMatchObject({
        conversationId: conversation.id,
        role: "user",
        channel: "voice",
        inputKind: "dtmf",
        interrupted: false,
        metadata: { lang: "en-US" },
        toolCalls: [],
        toolResults: [],
      });
      expect(assistant).toMatchObject({ inputKind: null, interrupted: true, metadata: {} });
      expect(assistant.toolCalls).toEqual([
        { toolCallId: "c1", toolName: "send_digits", input: { digits: "1" } },
      ]);
      expect(tool.toolResults[0]).toEqual({
        toolCallId: "c1",
        toolName: "send_digits",
        output: { ok: true },
        isError: false,
      });
      expect(user.createdAt).toBeGreaterThanOrEqual(conversation.createdAt);
      expect(await store.listMessages(conversation.id)).toEqual([user, assistant, tool]);
      const bumped = await store.getConversation(conversation.id);
      expect(bumped?.updatedAt).toBeGreaterThan(conversation.updatedAt);
      expect(bumped?.updatedAt).toBeGreaterThanOrEqual(tool.createdAt);
      await expect(
        store.appendMessage({ conversationId: "conv_missing", role: "user", channel: "sms", text: "x" }),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.listMessages("conv_missing")).toEqual([]);
    });

    it("keeps append order by sequence when the clock stands still", async () => {
      const conversation = await store.createConversation({ channel: "voice" });
      vi.spyOn(Date, "now").mockReturnValue(Date.now());
      const appended = [];
      for (const text of ["a", "b", "c", "d"]) {
        appended.push(await store.appendMessage(userMessage(conversation.id, text)));
      }
      vi.restoreAllMocks();
      expect(appended.map((message) => message.sequence)).toEqual([1, 2, 3, 4]);
      const listed = await store.listMessages(conversation.id);
      expect(texts(listed)).toEqual(["a", "b", "c", "d"]);
      expect(texts(await store.listMessages(conversation.id, { limit: 3 }))).toEqual(["b", "c", "d"]);
      const createdAts = listed.map((message) => message.createdAt);
      expect(createdAts).toEqual([...createdAts].sort((a, b) => a - b));
    });

    it("returns the most recent messages, oldest first, with a limit", async () => {
      const conversation = await store.createConversation({ channel: "sms" });
      for (let index = 1; index <= 5; index++) {
        await store.appendMessage(userMessage(conversation.id, `m${index}`));
      }
      expect(texts(await store.listMessages(conversation.id, { limit: 2 }))).toEqual(["m4", "m5"]);
      expect(texts(await store.listMessages(conversation.id, { limit: 5 }))).toEqual([
        "m1",
        "m2",
        "m3",
        "m4",
        "m5",
      ]);
      expect(texts(await store.listMessages(conversation.id, { limit: 99 }))).toHaveLength(5);
      expect(await store.listMessages(conversation.id, { limit: 0 })).toEqual([]);
    });

    it("keeps unique increasing sequences under concurrent appends", async () => {
      const first = await store.createConversation({ channel: "web" });
      const second = await store.createConversation({ channel: "web" });
      const appended = await Promise.all(
        Array.from({ length: 60 }, (_, index) =>
          store.appendMessage(userMessage(index % 3 === 0 ? second.id : first.id, `c${index}`)),
        ),
      );
      for (const [conversationId, count] of [
        [first.id, 40],
        [second.id, 20],
      ] as const) {
        const sequences = appended
          .filter((message) => message.conversationId === conversationId)
          .map((message) => message.sequence)
          .sort((a, b) => a - b);
        expect(sequences).toEqual(oneToN(count));
        const listed = await store.listMessages(conversationId);
        expect(listed.map((message) => message.sequence)).toEqual(oneToN(count));
        expect(new Set(listed.map((message) => message.id)).size).toBe(count);
      }
    });

    for (const batch of [false, true]) {
      it(`appends after an earlier append: in order, and never once that one failed${batch ? " (batched)" : ""}`, async () => {
        const conversation = await store.createConversation({ channel: "voice" });
        const reply = (text: string): NewMessage => ({
          ...userMessage(conversation.id, text),
          role: "assistant",
        });
        // A chain: each append made before the one it follows has run.
        const question = store.appendMessage(userMessage(conversation.id, "question"), { batch });
        const answer = store.appendMessage(reply("answer"), { batch, after: question });
        const more = store.appendMessage(reply("more"), { batch, after: answer });
        const stored = await Promise.all([question, answer, more]);
        expect(stored.map((message) => message.sequence)).toEqual([1, 2, 3]);
        expect(texts(await store.listMessages(conversation.id))).toEqual(["question", "answer", "more"]);

        // The earlier append fails (its conversation does not exist): the ones after it fail with
        // its error and store nothing, though their own conversation exists.
        const failed = store.appendMessage(userMessage("conv_missing", "lost"), { batch });
        const orphan = store.appendMessage(reply("orphan"), { batch, after: failed });
        const next = store.appendMessage(reply("orphan too"), { batch, after: orphan });
        const results = await Promise.allSettled([failed, orphan, next]);
        for (const result of results) {
          expect(result.status).toBe("rejected");
          expect((result as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
        }
        // An append after one that already failed fails at once too.
        await expect(store.appendMessage(reply("late"), { batch, after: failed })).rejects.toBeInstanceOf(
          NotFoundError,
        );
        expect(texts(await store.listMessages(conversation.id))).toEqual(["question", "answer", "more"]);
      });
    }

    it("updates a message (an interrupted reply keeps only what was heard)", async () => {
      const conversation = await store.createConversation({ channel: "voice" });
      const message = await store.appendMessage({
        conversationId: conversation.id,
        role: "assistant",
        channel: "voice",
        text: "Your order ships on Monday.",
        metadata: { turnId: "t1", nested: { keep: 1, drop: 2 } },
      });
      const updated = await store.updateMessage(message.id, {
        text: "Your order",
        interrupted: true,
        metadata: { x: 1, nested: { keep: 1 } },
      });
      expect(updated).toMatchObject({
        id: message.id,
        sequence: message.sequence,
        createdAt: message.createdAt,
        text: "Your order",
        interrupted: true,
      });
      expect(updated.metadata).toEqual({ turnId: "t1", x: 1, nested: { keep: 1 } });
      expect((await store.listMessages(conversation.id))[0]).toEqual(updated);
      const textOnly = await store.updateMessage(message.id, { text: "Your" });
      expect(textOnly).toMatchObject({ text: "Your", interrupted: true, metadata: updated.metadata });
      await expect(store.updateMessage("msg_missing", { text: "x" })).rejects.toBeInstanceOf(NotFoundError);
    });

    it("returns copies: changing a returned object or a passed input changes nothing stored", async () => {
      const input = { channel: "voice" as const, metadata: { keep: true, nested: { n: 1 } } };
      const conversation = await store.createConversation(input);
      input.metadata.nested.n = 2;
      conversation.metadata.keep = false;
      const fetched = await store.getConversation(conversation.id);
      (fetched?.metadata.nested as { n: number }).n = 3;
      const listed = await store.listConversations();
      expect(listed).toHaveLength(1);
      if (listed[0]) listed[0].metadata.keep = "listed";
      expect((await store.getConversation(conversation.id))?.metadata).toEqual({
        keep: true,
        nested: { n: 1 },
      });

      const toolCalls = [{ toolCallId: "c1", toolName: "lookup", input: { q: "a" } }];
      const message = await store.appendMessage({ ...userMessage(conversation.id, "a"), toolCalls });
      toolCalls[0]!.input.q = "changed input";
      message.text = "changed";
      message.toolCalls.push({ toolCallId: "c2", toolName: "x", input: null });
      const [listedMessage] = await store.listMessages(conversation.id);
      if (listedMessage) listedMessage.metadata.changed = true;
      const [stored] = await store.listMessages(conversation.id);
      expect(stored?.text).toBe("a");
      expect(stored?.toolCalls).toEqual([{ toolCallId: "c1", toolName: "lookup", input: { q: "a" } }]);
      expect(stored?.metadata).toEqual({});

      const session = call("CAcopy", conversation.id);
      await store.upsertCallSession(session);
      session.status = "changed input";
      const fetchedSession = await store.getCallSession("CAcopy");
      if (fetchedSession) fetchedSession.status = "changed output";
      expect((await store.getCallSession("CAcopy"))?.status).toBe("ringing");
    });

    it("records call sessions: upsert, end, unknown", async () => {
      const conversation = await store.createConversation({ channel: "voice" });
      await store.upsertCallSession(call("CA1", conversation.id));
      expect(await store.getCallSession("CA1")).toEqual(call("CA1", conversation.id));
      expect(await store.listCallSessions(conversation.id)).toEqual([call("CA1", conversation.id)]);
      expect(await store.listCallSessions("conv_other")).toEqual([]);
      await store.upsertCallSession({ ...call("CA1", conversation.id), sessionId: "VX1", status: "active" });
      expect(await store.getCallSession("CA1")).toEqual({
        ...call("CA1", conversation.id),
        sessionId: "VX1",
        status: "active",
      });
      const beforeEnd = Date.now();
      const ended = await store.endCallSession({
        callSid: "CA1",
        status: "completed",
        durationSeconds: 42,
        handoffData: '{"reason":"human"}',
      });
      expect(ended).toEqual({
        ...call("CA1", conversation.id),
        sessionId: "VX1",
        status: "completed",
        durationSeconds: 42,
        handoffData: '{"reason":"human"}',
        endedAt: ended?.endedAt,
      });
      expect(ended?.endedAt).toBeGreaterThanOrEqual(beforeEnd);
      expect(ended?.endedAt).toBeLessThan(Date.now() + 60_000);
      expect(await store.getCallSession("CA1")).toEqual(ended);
      // A call never seen is not recorded by its end: the store answers undefined and stores nothing.
      expect(await store.endCallSession({ callSid: "CAunknown", status: "completed" })).toBeUndefined();
      expect(await store.getCallSession("CAunknown")).toBeUndefined();
    });

    it("ends a call: a given sessionId and error replace, an explicit null clears, an omitted field stays", async () => {
      const conversation = await store.createConversation({ channel: "voice" });
      await store.upsertCallSession({
        ...call("CA2", conversation.id),
        sessionId: "VX1",
        durationSeconds: 5,
        handoffData: "keep me",
      });
      const ended = await store.endCallSession({
        callSid: "CA2",
        sessionId: "VX2",
        status: "failed",
        durationSeconds: null,
        errorCode: "64107",
        errorMessage: "WebSocket closed",
      });
      expect(ended).toMatchObject({
        sessionId: "VX2",
        status: "failed",
        durationSeconds: null,
        handoffData: "keep me",
        errorCode: "64107",
        errorMessage: "WebSocket closed",
      });
      const again = await store.endCallSession({ callSid: "CA2", sessionId: null, status: "completed" });
      expect(again).toMatchObject({ sessionId: "VX2", status: "completed", errorCode: "64107" });
      expect(await store.getCallSession("CA2")).toEqual(again);
    });

    it("finds a customer's conversations and erases a conversation with its messages and calls", async () => {
      const older = await store.createConversation({ channel: "voice", customerId: "cus_1" });
      const other = await store.createConversation({ channel: "sms", customerId: "cus_2" });
      const newer = await store.createConversation({ channel: "email", customerId: "cus_1" });
      expect((await store.findLatestConversationByCustomer("cus_1"))?.id).toBe(newer.id);
      await store.appendMessage({ conversationId: older.id, role: "user", channel: "voice", text: "x" });
      await store.appendMessage(userMessage(other.id, "other"));
      expect((await store.findLatestConversationByCustomer("cus_1"))?.id).toBe(older.id);
      expect(await store.findLatestConversationByCustomer("cus_none")).toBeUndefined();
      expect(ids(await store.listConversations({ customerId: "cus_1" }))).toEqual([older.id, newer.id]);
      await store.upsertCallSession(call("CAdel", older.id));
      await store.upsertCallSession(call("CAother", other.id));
      await store.deleteConversation(older.id);
      expect(await store.getConversation(older.id)).toBeUndefined();
      expect(await store.listMessages(older.id)).toEqual([]);
      expect(await store.getCallSession("CAdel")).toBeUndefined();
      expect(ids(await store.listConversations({ customerId: "cus_1" }))).toEqual([newer.id]);
      expect(await store.getConversation(other.id)).toBeDefined();
      expect(texts(await store.listMessages(other.id))).toEqual(["other"]);
      expect((await store.getCallSession("CAother"))?.conversationId).toBe(other.id);
    });

    it("answers ping and closes more than once", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await expect(store.close()).resolves.toBeUndefined();
      await expect(store.close()).resolves.toBeUndefined();
    });

    it("keeps everything across a restart", async (context) => {
      if (!harness.reopen) context.skip(`${name} keeps nothing across a restart (its harness has no reopen)`);
      const conversation = await store.createConversation({
        channel: "voice",
        externalRef: "+14155550123",
        metadata: { topic: "billing" },
      });
      const first = await store.appendMessage({
        conversationId: conversation.id,
        role: "user",
        channel: "voice",
        text: "remember me",
        toolCalls: [{ toolCallId: "c1", toolName: "lookup", input: { q: 1 } }],
      });
      await store.upsertCallSession(call("CA9", conversation.id));
      const stored = await store.getConversation(conversation.id);
      store = await harness.reopen!();
      expect(await store.getConversation(conversation.id)).toEqual(stored);
      expect(await store.listMessages(conversation.id)).toEqual([first]);
      expect(await store.getCallSession("CA9")).toEqual(call("CA9", conversation.id));
      const next = await store.appendMessage({
        conversationId: conversation.id,
        role: "assistant",
        channel: "voice",
        text: "I do",
      });
      expect(next.sequence).toBe(2);
      expect(ids(await store.listConversations())).toEqual([conversation.id]);
    });
  });
}
