import { describe, expect, it } from "vitest";
import { IdentityService } from "../../src/identity/identity-service.js";
import { normalizeIdentifier } from "../../src/identity/normalize-identifier.js";
import { createLogger } from "../../src/observability/logger.js";
import type { NewOutboxEntry } from "../../src/ports/outbox-store.js";
import { createMemoryConversationStore } from "../../src/stores/memory/create-memory-conversation-store.js";
import { createMemoryCustomerStore } from "../../src/stores/memory/create-memory-customer-store.js";
import { createMemoryOutboxStore } from "../../src/stores/memory/create-memory-outbox-store.js";

function setup(codes: string[] = ["123456", "654321"]) {
  const customers = createMemoryCustomerStore();
  const conversations = createMemoryConversationStore();
  const outbox = createMemoryOutboxStore();
  const sent: NewOutboxEntry[] = [];
  const identity = new IdentityService({
    customers,
    conversations,
    logger: createLogger({ level: "silent", logCustomerContent: false }),
    enqueueOutbound: async (entry) => {
      sent.push(entry);
      return (await outbox.enqueueOutbound(entry)).entry;
    },
    generateCode: () => codes.shift() ?? "000000",
  });
  return { identity, customers, conversations, sent };
}

/** A caller of +14155550123 with a code sent to `email`: their customer's id. */
async function callerAwaitingCode(identity: IdentityService, email: string): Promise<string> {
  const call = await identity.resolveConversation("phone", "+14155550123", "voice");
  const customerId = call.customer!.id;
  await identity.startVerification({
    customerId,
    conversationId: call.conversation.id,
    kind: "email",
    value: email,
  });
  return customerId;
}

describe("normalizeIdentifier", () => {
  it("normalises phone numbers to E.164 and emails to lower case", () => {
    expect(normalizeIdentifier("phone", "(415) 555-0123")).toBe("+14155550123");
    expect(normalizeIdentifier("phone", "+44 20 7946 0958")).toBe("+442079460958");
    expect(normalizeIdentifier("phone", "020 7946 0958", "GB")).toBe("+442079460958");
    expect(normalizeIdentifier("phone", "12")).toBeUndefined();
    expect(normalizeIdentifier("phone", "client:alice")).toBeUndefined();
    expect(normalizeIdentifier("email", "  Pat@Example.ORG ")).toBe("pat@example.org");
    expect(normalizeIdentifier("email", "not-an-email")).toBeUndefined();
  });
});

describe("IdentityService", () => {
  it("resolves a phone and an email of one person to one customer only after verification", async () => {
    const { identity, customers, sent } = setup();
    const call = await identity.resolveConversation("phone", "+1 415 555 0123", "voice");
    const again = await identity.resolveConversation("phone", "(415) 555-0123", "sms");
    expect(again.customer?.id).toBe(call.customer?.id);
    expect(again.conversation.id).toBe(call.conversation.id);
    const customerId = call.customer!.id;
    // A SIP or client caller who names the number is not that number's customer.
    for (const caller of [
      "sip:+14155550123@evil.sip.twilio.com",
      "client:+14155550123",
      "messenger:14155550123",
    ]) {
      const other = await identity.resolveConversation("phone", caller, "voice");
      expect(other.customer).toBeUndefined();
      expect(other.conversation.id).not.toBe(call.conversation.id);
      // Nor can the agent's tools reach the number inside it.
      expect((await identity.addressesOf(other.conversation)).phones).toEqual([]);
    }

    // "Email me at jane@example.com": not theirs until the code is read back.
    const started = await identity.startVerification({
      customerId,
      conversationId: call.conversation.id,
      kind: "email",
      value: "Jane@Example.com",
    });
    expect(started).toEqual({ status: "sent", kind: "email", masked: "j***@example.com" });
    expect(sent[0]?.payload).toMatchObject({ kind: "email", to: "jane@example.com" });
    expect(JSON.stringify(sent[0]?.payload)).toContain("123456");
    expect((await identity.addressesOf(call.conversation)).emails).toEqual([]);

    expect(await identity.confirmVerification(customerId, "111111")).toEqual({
      status: "wrong-code",
      attemptsLeft: 4,
    });
    expect((await identity.addressesOf(call.conversation)).emails).toEqual([]);
    expect(await identity.confirmVerification(customerId, "123 456")).toMatchObject({ status: "linked" });
    expect(await identity.addressesOf(call.conversation)).toEqual({
      phones: ["+14155550123"],
      emails: ["jane@example.com"],
    });

    const byEmail = await identity.resolveConversation("email", "jane@example.com", "email");
    expect(byEmail.customer?.id).toBe(customerId);
    expect(byEmail.conversation.id).toBe(call.conversation.id);
    const actions = (await customers.listAudit(customerId)).map((entry) => entry.action);
    expect(actions).toEqual([
      "customer-created",
      "verification-started",
      "verification-failed",
      "identifier-linked",
    ]);
    // The audit keeps no full address.
    expect(JSON.stringify(await customers.listAudit(customerId))).not.toContain("jane@example.com");
  });

  it("merges two existing customers only after verification and moves their conversations", async () => {
    const { identity, customers, conversations } = setup();
    const phone = await identity.resolveConversation("phone", "+14155550123", "voice");
    const email = await identity.resolveConversation("email", "pat@example.org", "email");
    expect(email.customer?.id).not.toBe(phone.customer?.id);
    await identity.startVerification({
      customerId: phone.customer!.id,
      conversationId: phone.conversation.id,
      kind: "email",
      value: "pat@example.org",
    });
    // A message that only mentions the code confirms nothing: whoever asked for it may not be them.
    expect(
      await identity.confirmFromInbound("email", "pat@example.org", "Who is this? I did not ask for 123456"),
    ).toBe(false);
    expect(await customers.getCustomer(email.customer!.id)).toBeDefined();
    // The customer replies from that address with the code.
    expect(await identity.confirmFromInbound("email", "pat@example.org", "My code is 123 456")).toBe(true);
    expect(await customers.getCustomer(email.customer!.id)).toBeUndefined();
    expect((await conversations.getConversation(email.conversation.id))?.customerId).toBe(phone.customer!.id);
    expect((await customers.listAudit(phone.customer!.id)).map((entry) => entry.action)).toContain(
      "customers-merged",
    );
  });

  it("refuses expired codes and too many attempts", async () => {
    const { identity, customers } = setup();
    const customerId = await callerAwaitingCode(identity, "a@b.co");
    for (let attempt = 0; attempt < 5; attempt++) await identity.confirmVerification(customerId, "000000");
    expect(await identity.confirmVerification(customerId, "123456")).toEqual({ status: "too-many-attempts" });
    const [pending] = await customers.listVerifications(customerId);
    await customers.saveVerification({ ...pending!, attempts: 0, expiresAt: Date.now() - 1 });
    expect(await identity.confirmVerification(customerId, "123456")).toEqual({ status: "expired" });
    expect(await identity.confirmVerification(customerId, "123456")).toEqual({ status: "none" });
    const { conversation } = await identity.resolveConversation("phone", "+14155550123", "voice");
    expect((await identity.addressesOf(conversation)).emails).toEqual([]);
  });

  it("gives a withheld caller id a conversation without a customer", async () => {
    const { identity } = setup();
    const anonymous = await identity.resolveConversation("phone", "anonymous", "voice");
    expect(anonymous.customer).toBeUndefined();
    expect(anonymous.conversation.customerId).toBeNull();
  });
});

describe("IdentityService code limits", () => {
  it("sends at most 3 codes an hour to one address and 5 for one customer, and says why it stops", async () => {
    const { identity, customers, sent } = setup([]);
    const caller = await identity.resolveConversation("phone", "+14155550123", "voice");
    const start = (value: string) =>
      identity.startVerification({
        customerId: caller.customer!.id,
        conversationId: caller.conversation.id,
        kind: "phone",
        value,
      });
    for (let index = 0; index < 3; index++) expect((await start("+14155550166")).status).toBe("sent");
    expect(await start("+14155550166")).toEqual({
      status: "too-many",
      reason: "Too many codes were sent recently. Please try again in an hour.",
    });
    expect((await start("+14155550177")).status).toBe("sent");
    expect((await start("+14155550188")).status).toBe("sent");
    // Five codes for this customer within the hour: no sixth, to any address.
    expect((await start("+14155550199")).status).toBe("too-many");
    expect(sent).toHaveLength(5);
    const audit = await customers.listAudit(caller.customer!.id);
    expect(audit.filter((entry) => entry.action === "verification-refused")).toHaveLength(2);
  });
});

describe("IdentityService code guesses", () => {
  it("counts every guess before comparing it: 15 at once get 5 tries, then none, the right code included", async () => {
    const { identity } = setup(["123456"]);
    const customerId = await callerAwaitingCode(identity, "pat@example.org");
    const guesses = await Promise.all(
      Array.from({ length: 15 }, (_, index) =>
        identity.confirmVerification(customerId, String(100000 + index)),
      ),
    );
    expect(guesses.filter((result) => result.status === "wrong-code")).toHaveLength(5);
    expect(guesses.filter((result) => result.status === "too-many-attempts")).toHaveLength(10);
    expect((await identity.confirmVerification(customerId, "123456")).status).toBe("too-many-attempts");
  });
});

describe("IdentityService replies from an address", () => {
  it("compares the code sent to that address, whichever verification is the customer's latest", async () => {
    const { identity, customers } = setup(["111111", "222222"]);
    const caller = await identity.resolveConversation("phone", "+14155550123", "voice");
    const customerId = caller.customer!.id;
    const start = (kind: "email" | "phone", value: string) =>
      identity.startVerification({ customerId, conversationId: caller.conversation.id, kind, value });
    await start("phone", "+14155550177"); // code 111111
    await start("email", "pat@example.org"); // code 222222, the latest
    // The email's code from the phone links nothing; the phone's own code links the phone.
    expect(await identity.confirmFromInbound("phone", "+14155550177", "222222")).toBe(false);
    expect(await identity.confirmFromInbound("phone", "+14155550177", "111111")).toBe(true);
    const values = (await customers.listIdentifiers(customerId)).map((identifier) => identifier.value);
    expect(values).toEqual(["+14155550123", "+14155550177"]);
  });
});
