import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MessagingStateStore } from "../../src/ports/messaging-state-store.js";
import type { OutboxStore } from "../../src/ports/outbox-store.js";

export interface OutboxHarness {
  outbox: OutboxStore;
  messagingState: MessagingStateStore;
  cleanup: () => Promise<void>;
  /** The backend deletes old inbound ids by itself (DynamoDB's TTL) and forgets none on request. */
  inboundIdsExpireByThemselves?: boolean;
}

const sms = (to = "+14155550123") => ({ kind: "sms" as const, to, body: "hi" });

/** The contract of the outbox and messaging-state ports, run against every backend. */
export function outboxStoreContract(name: string, make: () => Promise<OutboxHarness>): void {
  describe(`OutboxStore and MessagingStateStore contract: ${name}`, () => {
    let harness: OutboxHarness;
    beforeEach(async () => {
      harness = await make();
    });
    afterEach(() => harness.cleanup());

    it("enqueues idempotently by key", async () => {
      const { outbox } = harness;
      const first = await outbox.enqueueOutbound({
        idempotencyKey: "k1",
        payload: sms(),
        conversationId: "conv_1",
      });
      const again = await outbox.enqueueOutbound({
        idempotencyKey: "k1",
        payload: { ...sms(), body: "other" },
      });
      expect(first.created).toBe(true);
      expect(again.created).toBe(false);
      expect(again.entry.id).toBe(first.entry.id);
      expect(again.entry.payload).toEqual(sms());
      expect(first.entry).toMatchObject({
        status: "pending",
        attempts: 0,
        kind: "sms",
        conversationId: "conv_1",
      });
      expect(await outbox.listOutbound()).toHaveLength(1);
    });

    it("keeps an event webhook's payload as written, and claims it like any entry", async () => {
      const { outbox } = harness;
      const payload = {
        kind: "webhook" as const,
        to: "https://crm.example.com/hooks",
        event: "call.ended",
        body: JSON.stringify({ event: "call.ended", transcript: [{ role: "user", text: 'Hi \u00e9 "q"' }] }),
      };
      const { entry } = await outbox.enqueueOutbound({ idempotencyKey: "call.ended:CA1", payload });
      expect(entry).toMatchObject({ kind: "webhook", payload });
      const [claimed] = await outbox.claimDueOutbound({
        now: Date.now() + 1,
        limit: 5,
        workerId: "w",
        leaseMs: 1000,
      });
      expect(claimed?.payload).toEqual(payload);
      expect((await outbox.getOutbound(entry.id))?.payload).toEqual(payload);
    });

    it("claims due entries once, and re-claims only after the lease expires", async () => {
      const { outbox } = harness;
      const now = Date.now();
      await outbox.enqueueOutbound({ idempotencyKey: "due", payload: sms(), notBefore: now });
      await outbox.enqueueOutbound({ idempotencyKey: "later", payload: sms(), notBefore: now + 60_000 });
      const [claims1, claims2] = await Promise.all([
        outbox.claimDueOutbound({ now, limit: 10, workerId: "a", leaseMs: 1000 }),
        outbox.claimDueOutbound({ now, limit: 10, workerId: "b", leaseMs: 1000 }),
      ]);
      const claimed = [...claims1, ...claims2];
      expect(claimed.map((entry) => entry.idempotencyKey)).toEqual(["due"]);
      expect(claimed[0]).toMatchObject({ status: "sending", attempts: 1 });
      expect(
        await outbox.claimDueOutbound({ now: now + 500, limit: 10, workerId: "c", leaseMs: 1000 }),
      ).toEqual([]);
      const reclaimed = await outbox.claimDueOutbound({
        now: now + 1500,
        limit: 10,
        workerId: "c",
        leaseMs: 1000,
      });
      expect(reclaimed.map((entry) => [entry.idempotencyKey, entry.claimedBy, entry.attempts])).toEqual([
        ["due", "c", 2],
      ]);
    });

    it("records sent, retry, failed and dead", async () => {
      const { outbox } = harness;
      const a = (await outbox.enqueueOutbound({ idempotencyKey: "a", payload: sms() })).entry;
      const b = (await outbox.enqueueOutbound({ idempotencyKey: "b", payload: sms() })).entry;
      const c = (await outbox.enqueueOutbound({ idempotencyKey: "c", payload: sms() })).entry;
      await outbox.claimDueOutbound({ now: Date.now(), limit: 10, workerId: "w", leaseMs: 1000 });
      await outbox.markOutboundSent(a.id, {
        sender: "twilio",
        providerMessageId: "SM1",
        providerStatus: "queued",
      });
      await outbox.markOutboundRetry(b.id, {
        nextAttemptAt: Date.now() + 60_000,
        error: "HTTP 500",
        errorCode: "500",
      });
      await outbox.markOutboundFailed(c.id, { error: "invalid number", errorCode: "21211", dead: false });
      expect(await outbox.getOutbound(a.id)).toMatchObject({
        status: "sent",
        sender: "twilio",
        providerMessageId: "SM1",
        claimedBy: null,
      });
      expect(await outbox.getOutbound(b.id)).toMatchObject({
        status: "pending",
        lastError: "HTTP 500",
        lastErrorCode: "500",
      });
      expect(await outbox.getOutbound(c.id)).toMatchObject({ status: "failed", lastErrorCode: "21211" });
      await outbox.markOutboundFailed(b.id, { error: "gave up", errorCode: null, dead: true });
      expect((await outbox.listOutbound({ status: "dead" })).map((entry) => entry.id)).toEqual([b.id]);
    });

    it("deletes finished entries last updated before a time, oldest first, and keeps work in progress", async () => {
      const { outbox } = harness;
      const tick = () => new Promise((resolve) => setTimeout(resolve, 3));
      const sent = (await outbox.enqueueOutbound({ idempotencyKey: "sent", payload: sms() })).entry;
      const failed = (await outbox.enqueueOutbound({ idempotencyKey: "failed", payload: sms() })).entry;
      const pending = (await outbox.enqueueOutbound({ idempotencyKey: "pending", payload: sms() })).entry;
      const sending = (await outbox.enqueueOutbound({ idempotencyKey: "sending", payload: sms() })).entry;
      await tick();
      const beforeAnyFinished = Date.now();
      await tick();
      await outbox.markOutboundSent(sent.id, {
        sender: "twilio",
        providerMessageId: "SM9",
        providerStatus: "queued",
      });
      await tick();
      await outbox.markOutboundFailed(failed.id, {
        error: "invalid number",
        errorCode: "21211",
        dead: false,
      });
      await tick();
      await outbox.claimDueOutbound({ now: Date.now(), limit: 10, workerId: "w", leaseMs: 60_000 });
      const claimed = await outbox.getOutbound(sending.id);
      expect(claimed?.status).toBe("sending");
      await outbox.markOutboundRetry(pending.id, {
        nextAttemptAt: Date.now() + 60_000,
        error: "HTTP 500",
        errorCode: "500",
      });
      await tick();

      expect(await outbox.deleteFinishedOutboundBefore(beforeAnyFinished, 10)).toBe(0);
      expect(await outbox.deleteFinishedOutboundBefore(Date.now(), 1)).toBe(1);
      expect(await outbox.getOutbound(sent.id)).toBeUndefined();
      expect(await outbox.getOutbound(failed.id)).toBeDefined();
      expect(await outbox.deleteFinishedOutboundBefore(Date.now(), 10)).toBe(1);
      expect((await outbox.listOutbound()).map((entry) => entry.id).sort()).toEqual(
        [pending.id, sending.id].sort(),
      );
      // Its status callback no longer finds it, and its idempotency key is free again.
      expect(
        await outbox.updateOutboundProviderStatus("SM9", {
          providerStatus: "delivered",
          status: "delivered",
          errorCode: null,
        }),
      ).toBeUndefined();
      expect((await outbox.enqueueOutbound({ idempotencyKey: "sent", payload: sms() })).created).toBe(true);
    });

    it("requeues a failed or dead entry as due now with its attempts from zero, and nothing else", async () => {
      const { outbox } = harness;
      const failed = (await outbox.enqueueOutbound({ idempotencyKey: "f", payload: sms() })).entry;
      const dead = (await outbox.enqueueOutbound({ idempotencyKey: "d", payload: sms() })).entry;
      const sent = (await outbox.enqueueOutbound({ idempotencyKey: "s", payload: sms() })).entry;
      await outbox.claimDueOutbound({ now: Date.now(), limit: 10, workerId: "w", leaseMs: 60_000 });
      await outbox.markOutboundFailed(failed.id, { error: "auth", errorCode: "20003", dead: false });
      await outbox.markOutboundFailed(dead.id, { error: "HTTP 500", errorCode: "500", dead: true });
      await outbox.markOutboundSent(sent.id, {
        sender: "twilio",
        providerMessageId: "SM7",
        providerStatus: "queued",
      });

      const now = Date.now() + 1000;
      for (const entry of [failed, dead]) {
        const result = await outbox.requeueOutbound(entry.id, now);
        expect(result?.requeued).toBe(true);
        expect(result?.entry).toMatchObject({
          status: "pending",
          attempts: 0,
          nextAttemptAt: now,
          claimedBy: null,
        });
      }
      const refused = await outbox.requeueOutbound(sent.id, now);
      expect(refused).toMatchObject({ requeued: false, entry: { id: sent.id, status: "sent" } });
      expect(await outbox.requeueOutbound("out_missing", now)).toBeUndefined();
      // Due again: the next claim takes the two, not the sent one.
      const claimed = await outbox.claimDueOutbound({ now, limit: 10, workerId: "w2", leaseMs: 60_000 });
      expect(claimed.map((entry) => entry.id).sort()).toEqual([failed.id, dead.id].sort());
      expect(claimed.every((entry) => entry.attempts === 1)).toBe(true);
    });

    it("applies provider statuses without moving backwards", async () => {
      const { outbox } = harness;
      const entry = (
        await outbox.enqueueOutbound({ idempotencyKey: "s", payload: sms(), conversationId: "conv_9" })
      ).entry;
      await outbox.claimDueOutbound({ now: Date.now(), limit: 1, workerId: "w", leaseMs: 1000 });
      await outbox.markOutboundSent(entry.id, {
        sender: "twilio",
        providerMessageId: "SM9",
        providerStatus: "queued",
      });
      expect(
        await outbox.updateOutboundProviderStatus("SM9", {
          providerStatus: "delivered",
          status: "delivered",
          errorCode: null,
        }),
      ).toMatchObject({
        status: "delivered",
      });
      await outbox.updateOutboundProviderStatus("SM9", {
        providerStatus: "sent",
        status: "sent",
        errorCode: null,
      });
      expect((await outbox.getOutbound(entry.id))?.status).toBe("delivered");
      expect(
        await outbox.updateOutboundProviderStatus("SMnone", {
          providerStatus: "sent",
          status: "sent",
          errorCode: null,
        }),
      ).toBeUndefined();
      expect((await outbox.listOutbound({ conversationId: "conv_9" })).map((item) => item.id)).toEqual([
        entry.id,
      ]);
    });

    it("de-duplicates inbound events, tracks opt-outs, threads and pending turns", async () => {
      const { messagingState } = harness;
      expect(await messagingState.recordInboundOnce("twilio-sms", "SM1")).toBe(true);
      expect(await messagingState.recordInboundOnce("twilio-sms", "SM1")).toBe(false);
      expect(await messagingState.recordInboundOnce("email", "SM1")).toBe(true);

      expect(await messagingState.isOptedOut("+14155550123", "sms")).toBe(false);
      await messagingState.setOptOut("+14155550123", "sms", true, "STOP");
      expect(await messagingState.isOptedOut("+14155550123", "sms")).toBe(true);
      expect(await messagingState.isOptedOut("+14155550123", "email")).toBe(false);
      await messagingState.setOptOut("+14155550123", "sms", false, "START");
      expect(await messagingState.isOptedOut("+14155550123", "sms")).toBe(false);

      await messagingState.linkEmailMessageId("<a@x>", "conv_a");
      await messagingState.linkEmailMessageId("<b@x>", "conv_b");
      expect(await messagingState.findConversationByEmailMessageIds(["<zz@x>", "<a@x>"])).toBe("conv_a");
      expect(await messagingState.findConversationByEmailMessageIds(["<a@x>", "<b@x>"])).toBe("conv_b");
      expect(await messagingState.findConversationByEmailMessageIds(["<none@x>"])).toBeUndefined();

      await messagingState.addPendingTurn({
        messageId: "m2",
        conversationId: "c",
        channel: "sms",
        createdAt: 2,
      });
      await messagingState.addPendingTurn({
        messageId: "m1",
        conversationId: "c",
        channel: "email",
        createdAt: 1,
      });
      expect((await messagingState.listPendingTurns()).map((turn) => turn.messageId)).toEqual(["m1", "m2"]);
      await messagingState.removePendingTurn("m1");
      expect((await messagingState.listPendingTurns()).map((turn) => turn.messageId)).toEqual(["m2"]);
    });

    it("forgets the email Message-IDs of one conversation, and keeps the others'", async () => {
      const { messagingState } = harness;
      await messagingState.linkEmailMessageId("<a1@acme.example>", "conv_a");
      await messagingState.linkEmailMessageId("<a2@acme.example>", "conv_a");
      await messagingState.linkEmailMessageId("<b1@acme.example>", "conv_b");
      expect(await messagingState.forgetEmailThreads("conv_a")).toBe(2);
      expect(await messagingState.findConversationByEmailMessageIds(["<a1@acme.example>"])).toBeUndefined();
      expect(await messagingState.findConversationByEmailMessageIds(["<a2@acme.example>"])).toBeUndefined();
      expect(await messagingState.findConversationByEmailMessageIds(["<b1@acme.example>"])).toBe("conv_b");
      expect(await messagingState.forgetEmailThreads("conv_a")).toBe(0);
    });

    it("keeps an accepted inbound event in the inbox until it is handled, and accepts an id once", async () => {
      const { messagingState } = harness;
      const event = (eventId: string, receivedAt: number, body: string) => ({
        provider: "twilio-sms",
        eventId,
        receivedAt,
        payload: { MessageSid: eventId, From: "+14155550123", Body: body, Media: [{ url: "u", n: 1 }] },
      });
      expect(await messagingState.acceptInbound(event("SMb", 20, "second"))).toBe(true);
      expect(await messagingState.acceptInbound(event("SMa", 10, "first"))).toBe(true);
      expect(await messagingState.acceptInbound(event("SMa", 30, "a retry"))).toBe(false);
      expect(
        await messagingState.acceptInbound({ ...event("SMa", 10, "other provider"), provider: "x" }),
      ).toBe(true);
      // An id recorded by recordInboundOnce is a repeat too, and the other way round.
      expect(await messagingState.recordInboundOnce("twilio-sms", "SMold")).toBe(true);
      expect(await messagingState.acceptInbound(event("SMold", 5, "old"))).toBe(false);
      expect(await messagingState.recordInboundOnce("twilio-sms", "SMb")).toBe(false);

      expect(await messagingState.listUnhandledInbound("twilio-sms")).toEqual([
        event("SMa", 10, "first"),
        event("SMb", 20, "second"),
      ]);
      await messagingState.markInboundHandled("twilio-sms", "SMa");
      expect(await messagingState.listUnhandledInbound("twilio-sms")).toEqual([event("SMb", 20, "second")]);
      // Handled is not forgotten: a late retry is still a repeat and does not come back.
      expect(await messagingState.acceptInbound(event("SMa", 40, "late retry"))).toBe(false);
      expect((await messagingState.listUnhandledInbound("twilio-sms")).map((item) => item.eventId)).toEqual([
        "SMb",
      ]);
      expect((await messagingState.listUnhandledInbound("x")).map((item) => item.payload.Body)).toEqual([
        "other provider",
      ]);
      await messagingState.markInboundHandled("twilio-sms", "SMb");
      await messagingState.markInboundHandled("twilio-sms", "SMunknown");
      expect(await messagingState.listUnhandledInbound("twilio-sms")).toEqual([]);
    });

    it("counts failed rounds of an unhandled inbound event with its last error, and resets them", async () => {
      const { messagingState } = harness;
      const event = { provider: "twilio-sms", eventId: "SMfail", receivedAt: 10, payload: { Body: "hi" } };
      expect(await messagingState.acceptInbound(event)).toBe(true);
      expect(await messagingState.recordInboundFailure("twilio-sms", "SMfail", "Error: store down")).toBe(1);
      expect(await messagingState.listUnhandledInbound("twilio-sms")).toEqual([
        { ...event, failures: 1, lastError: "Error: store down" },
      ]);
      expect(
        await messagingState.recordInboundFailure("twilio-sms", "SMfail", `Error: ${"x".repeat(2000)}`),
      ).toBe(2);
      const [listed] = await messagingState.listUnhandledInbound("twilio-sms");
      expect(listed?.failures).toBe(2);
      expect(listed?.lastError).toHaveLength(500);
      expect(listed?.lastError?.startsWith("Error: xxx")).toBe(true);

      expect(await messagingState.resetInboundFailures("twilio-sms", "SMfail")).toBe(true);
      expect(await messagingState.listUnhandledInbound("twilio-sms")).toEqual([event]);
      // Only events in the inbox count failures.
      expect(await messagingState.recordInboundFailure("twilio-sms", "SMunknown", "x")).toBe(0);
      expect(await messagingState.resetInboundFailures("twilio-sms", "SMunknown")).toBe(false);
      await messagingState.markInboundHandled("twilio-sms", "SMfail");
      expect(await messagingState.recordInboundFailure("twilio-sms", "SMfail", "late")).toBe(0);
      expect(await messagingState.resetInboundFailures("twilio-sms", "SMfail")).toBe(false);
      expect(await messagingState.listUnhandledInbound("twilio-sms")).toEqual([]);
    });

    it("forgets handled inbound ids received before a time, oldest first, and keeps unhandled ones", async () => {
      const { messagingState } = harness;
      const event = (eventId: string, receivedAt: number) => ({
        provider: "twilio-sms",
        eventId,
        receivedAt,
        payload: { MessageSid: eventId },
      });
      for (const [eventId, receivedAt] of [
        ["SM1", 1000],
        ["SM2", 2000],
        ["SM3", 3000],
        ["SM4", 4000],
      ] as const) {
        expect(await messagingState.acceptInbound(event(eventId, receivedAt))).toBe(true);
      }
      for (const eventId of ["SM1", "SM2", "SM4"])
        await messagingState.markInboundHandled("twilio-sms", eventId);
      if (harness.inboundIdsExpireByThemselves) {
        expect(await messagingState.forgetHandledInbound(10_000, 100)).toBe(0);
        expect(await messagingState.acceptInbound(event("SM1", 5000))).toBe(false);
        return;
      }
      expect(await messagingState.forgetHandledInbound(2500, 100)).toBe(2);
      // A forgotten id is accepted again; the ids kept are still repeats.
      expect(await messagingState.acceptInbound(event("SM1", 5000))).toBe(true);
      expect(await messagingState.acceptInbound(event("SM4", 5000))).toBe(false);
      expect(await messagingState.acceptInbound(event("SM3", 5000))).toBe(false);
      // At most `limit`, oldest first: SM4; SM3 and the new SM1 are unhandled and stay.
      expect(await messagingState.forgetHandledInbound(10_000, 1)).toBe(1);
      expect(await messagingState.forgetHandledInbound(10_000, 100)).toBe(0);
      expect((await messagingState.listUnhandledInbound("twilio-sms")).map((item) => item.eventId)).toEqual([
        "SM3",
        "SM1",
      ]);
      // Ids recorded without an event (status callbacks) are forgotten the same way.
      expect(await messagingState.recordInboundOnce("sendgrid-event", "evt1")).toBe(true);
      expect(await messagingState.forgetHandledInbound(Date.now() + 1, 100)).toBe(1);
      expect(await messagingState.recordInboundOnce("sendgrid-event", "evt1")).toBe(true);
    });

    it("lets one owner at a time claim an unhandled inbound event, until its lease runs out", async () => {
      const { messagingState } = harness;
      const accept = (eventId: string) =>
        messagingState.acceptInbound({
          provider: "twilio-sms",
          eventId,
          receivedAt: 1,
          payload: { Body: "x" },
        });
      await accept("SMc1");
      await accept("SMc2");
      expect(await messagingState.claimInbound("twilio-sms", "SMc1", "node-a", 60_000)).toBe(true);
      expect(await messagingState.claimInbound("twilio-sms", "SMc1", "node-b", 60_000)).toBe(false);
      expect(await messagingState.claimInbound("twilio-sms", "SMc1", "node-a", 60_000)).toBe(true); // its own
      // A lease that has run out (here: one that was already over when taken) can be taken over.
      expect(await messagingState.claimInbound("twilio-sms", "SMc2", "node-a", -1000)).toBe(true);
      expect(await messagingState.claimInbound("twilio-sms", "SMc2", "node-b", 60_000)).toBe(true);
      expect(await messagingState.claimInbound("twilio-sms", "SMc2", "node-a", 60_000)).toBe(false);
      // Handled or unknown events cannot be claimed; a claim does not take an event out of the inbox.
      expect(
        (await messagingState.listUnhandledInbound("twilio-sms")).map((item) => item.eventId).sort(),
      ).toEqual(["SMc1", "SMc2"]);
      await messagingState.markInboundHandled("twilio-sms", "SMc1");
      expect(await messagingState.claimInbound("twilio-sms", "SMc1", "node-a", 60_000)).toBe(false);
      expect(await messagingState.claimInbound("twilio-sms", "SMnever", "node-a", 60_000)).toBe(false);
      // A negative lease gives the claim up at once.
      expect(await messagingState.claimInbound("twilio-sms", "SMc2", "node-b", -1)).toBe(true);
      expect(await messagingState.claimInbound("twilio-sms", "SMc2", "node-a", 60_000)).toBe(true);
    });

    it("lets one owner at a time claim a pending turn, until it is removed or its lease runs out", async () => {
      const { messagingState } = harness;
      await messagingState.addPendingTurn({
        messageId: "mc1",
        conversationId: "c",
        channel: "sms",
        createdAt: 1,
      });
      expect(await messagingState.claimPendingTurn("mc1", "node-a", 60_000)).toBe(true);
      expect(await messagingState.claimPendingTurn("mc1", "node-b", 60_000)).toBe(false);
      expect(await messagingState.claimPendingTurn("mc1", "node-a", 60_000)).toBe(true);
      expect(await messagingState.claimPendingTurn("mc1", "node-a", -1)).toBe(true); // given up
      expect(await messagingState.claimPendingTurn("mc1", "node-b", 60_000)).toBe(true);
      expect((await messagingState.listPendingTurns()).map((turn) => turn.messageId)).toContain("mc1");
      await messagingState.removePendingTurn("mc1");
      expect(await messagingState.claimPendingTurn("mc1", "node-b", 60_000)).toBe(false);
      expect(await messagingState.claimPendingTurn("never", "node-a", 60_000)).toBe(false);
    });
  });
}
