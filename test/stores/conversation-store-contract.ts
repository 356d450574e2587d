import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/errors/not-found-error.js";
import type { CallSession, ConversationStore } from "../../src/ports/conversation-store.js";

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
      await harness.cleanup();
    });

    it("creates, reads and updates conversations", async () => {
      const created = await store.createConversation({
        channel: "voice",
        externalRef: "+14155550123",
        metadata: { a: 1 },
      });
      expect(created.id).toMatch(/^conv_/);
      expect(created).toMatchObject({
        channel: "voice",
        customerId: null,
        externalRef: "+14155550123",
        metadata: { a: 1 },
      });
      expect(await store.getConversation(created.id)).toEqual(created);
      const explicit = await store.createConversation({ id: "conv_explicit", channel: "sms" });
      expect(explicit.id).toBe("conv_explicit");
      const updated = await store.updateConversation(created.id, { customerId: "cus_1", metadata: { b: 2 } });
      expect(updated.customerId).toBe("cus_1");
      expect(updated.metadata).toEqual({ a: 1, b: 2 });
      expect(updated.updatedAt).toBeGreaterThan(created.updatedAt);
      expect(await store.getConversation("conv_missing")).toBeUndefined();
      await expect(store.updateConversation("conv_missing", { customerId: "x" })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it("lists conversations newest first, with limit and paging", async () => {
      const first = await store.createConversation({ channel: "voice" });
      const second = await store.createConversation({ channel: "sms" });
      const third = await store.createConversation({ channel: "email" });
      await store.appendMessage({ conversationId: first.id, role: "user", channel: "voice", text: "bump" });
      const all = await store.listConversations();
      expect(all.map((conversation) => conversation.id)).toEqual([first.id, third.id, second.id]);
      const page = await store.listConversations({ limit: 2 });
      expect(page.map((conversation) => conversation.id)).toEqual([first.id, third.id]);
      const next = await store.listConversations({ before: page[1]?.updatedAt });
      expect(next.map((conversation) => conversation.id)).toEqual([second.id]);
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
      expect(user).toMatchObject({
        inputKind: "dtmf",
        interrupted: false,
        metadata: { lang: "en-US" },
        toolCalls: [],
      });
      const listed = await store.listMessages(conversation.id);
      expect(listed).toEqual([user, assistant, tool]);
      expect((await store.getConversation(conversation.id))?.updatedAt).toBeGreaterThanOrEqual(
        tool.createdAt,
      );
      await expect(
        store.appendMessage({ conversationId: "conv_missing", role: "user", channel: "sms", text: "x" }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it("returns the most recent messages, oldest first, with a limit", async () => {
      const conversation = await store.createConversation({ channel: "sms" });
      for (let index = 1; index <= 5; index++) {
        await store.appendMessage({
          conversationId: conversation.id,
          role: "user",
          channel: "sms",
          text: `m${index}`,
        });
      }
      expect(
        (await store.listMessages(conversation.id, { limit: 2 })).map((message) => message.text),
      ).toEqual(["m4", "m5"]);
      expect(await store.listMessages(conversation.id, { limit: 0 })).toEqual([]);
      expect(await store.listMessages("conv_missing")).toEqual([]);
    });

    it("keeps unique increasing sequences under concurrent appends", async () => {
      const conversation = await store.createConversation({ channel: "web" });
      const appended = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          store.appendMessage({
            conversationId: conversation.id,
            role: "user",
            channel: "web",
            text: `c${index}`,
          }),
        ),
      );
      const sequences = appended.map((message) => message.sequence).sort((a, b) => a - b);
      expect(sequences).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
      const listed = await store.listMessages(conversation.id);
      expect(listed.map((message) => message.sequence)).toEqual(sequences);
    });

    it("updates a message (an interrupted reply keeps only what was heard)", async () => {
      const conversation = await store.createConversation({ channel: "voice" });
      const message = await store.appendMessage({
        conversationId: conversation.id,
        role: "assistant",
        channel: "voice",
        text: "Your order ships on Monday.",
        metadata: { turnId: "t1" },
      });
      const updated = await store.updateMessage(message.id, {
        text: "Your order",
        interrupted: true,
        metadata: { x: 1 },
      });
      expect(updated).toMatchObject({
        text: "Your order",
        interrupted: true,
        metadata: { turnId: "t1", x: 1 },
      });
      expect((await store.listMessages(conversation.id))[0]).toEqual(updated);
      await expect(store.updateMessage("msg_missing", { text: "x" })).rejects.toBeInstanceOf(NotFoundError);
    });

    it("returns copies: changing a returned object changes nothing stored", async () => {
      const conversation = await store.createConversation({ channel: "voice", metadata: { keep: true } });
      conversation.metadata.keep = false;
      expect((await store.getConversation(conversation.id))?.metadata).toEqual({ keep: true });
      const message = await store.appendMessage({
        conversationId: conversation.id,
        role: "user",
        channel: "voice",
        text: "a",
      });
      message.text = "changed";
      expect((await store.listMessages(conversation.id))[0]?.text).toBe("a");
    });

    it("records call sessions: upsert, end, unknown", async () => {
      const conversation = await store.createConversation({ channel: "voice" });
      await store.upsertCallSession(call("CA1", conversation.id));
      expect(await store.getCallSession("CA1")).toEqual(call("CA1", conversation.id));
      await store.upsertCallSession({ ...call("CA1", conversation.id), sessionId: "VX1", status: "active" });
      expect(await store.getCallSession("CA1")).toMatchObject({ sessionId: "VX1", status: "active" });
      const ended = await store.endCallSession({
        callSid: "CA1",
        status: "completed",
        durationSeconds: 42,
        handoffData: '{"reason":"human"}',
      });
      expect(ended).toMatchObject({
        status: "completed",
        durationSeconds: 42,
        handoffData: '{"reason":"human"}',
        sessionId: "VX1",
      });
      expect(ended?.endedAt).toBeTypeOf("number");
      expect(await store.endCallSession({ callSid: "CAunknown", status: "completed" })).toBeUndefined();
      expect(await store.getCallSession("CAunknown")).toBeUndefined();
    });

    it("finds a customer's conversations and erases a conversation with its messages and calls", async () => {
      const older = await store.createConversation({ channel: "voice", customerId: "cus_1" });
      const other = await store.createConversation({ channel: "sms", customerId: "cus_2" });
      const newer = await store.createConversation({ channel: "email", customerId: "cus_1" });
      expect((await store.findLatestConversationByCustomer("cus_1"))?.id).toBe(newer.id);
      await store.appendMessage({ conversationId: older.id, role: "user", channel: "voice", text: "x" });
      expect((await store.findLatestConversationByCustomer("cus_1"))?.id).toBe(older.id);
      expect(await store.findLatestConversationByCustomer("cus_none")).toBeUndefined();
      expect(
        (await store.listConversations({ customerId: "cus_1" })).map((conversation) => conversation.id),
      ).toEqual([older.id, newer.id]);
      await store.upsertCallSession(call("CAdel", older.id));
      await store.deleteConversation(older.id);
      expect(await store.getConversation(older.id)).toBeUndefined();
      expect(await store.listMessages(older.id)).toEqual([]);
      expect(await store.getCallSession("CAdel")).toBeUndefined();
      expect(await store.getConversation(other.id)).toBeDefined();
    });

    it("answers ping", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("keeps everything across a restart", async () => {
      if (!harness.reopen) return;
      const conversation = await store.createConversation({ channel: "voice", externalRef: "+14155550123" });
      await store.appendMessage({
        conversationId: conversation.id,
        role: "user",
        channel: "voice",
        text: "remember me",
      });
      await store.upsertCallSession(call("CA9", conversation.id));
      store = await harness.reopen();
      expect(await store.getConversation(conversation.id)).toMatchObject({ externalRef: "+14155550123" });
      expect((await store.listMessages(conversation.id)).map((message) => message.text)).toEqual([
        "remember me",
      ]);
      expect((await store.getCallSession("CA9"))?.conversationId).toBe(conversation.id);
      const next = await store.appendMessage({
        conversationId: conversation.id,
        role: "assistant",
        channel: "voice",
        text: "I do",
      });
      expect(next.sequence).toBe(2);
    });
  });
}
