import { describe, expect, it } from "vitest";
import { InboundQueue } from "../../../src/channels/messaging/inbound-queue.js";
import { WebhookPressure } from "../../../src/channels/messaging/webhook-pressure.js";
import type { InboundEvent, MessagingStateStore } from "../../../src/ports/messaging-state-store.js";
import { createMemoryMessagingStateStore } from "../../../src/stores/memory/create-memory-messaging-state-store.js";
import { captureLogs } from "../../helpers/capture-logs.js";

const provider = "twilio-sms";

function event(eventId: string, from: string, body = eventId): InboundEvent {
  return { provider, eventId, payload: { From: from, Body: body }, receivedAt: Date.now() };
}

function setup(
  handle: (event: InboundEvent, context: { recovered: boolean }) => Promise<void>,
  options: {
    messagingState?: MessagingStateStore;
    retryDelaysMs?: number[];
    claimLeaseMs?: number;
    onFailureRound?: (provider: string, waitingForOperator: boolean) => void;
  } = {},
) {
  const messagingState = options.messagingState ?? createMemoryMessagingStateStore();
  const { logger, lines } = captureLogs("debug");
  const queue = new InboundQueue({
    messagingState,
    logger,
    pressure: new WebhookPressure(),
    retryDelaysMs: options.retryDelaysMs ?? [1, 1],
    ...(options.claimLeaseMs === undefined ? {} : { claimLeaseMs: options.claimLeaseMs }),
    ...(options.onFailureRound === undefined ? {} : { onFailureRound: options.onFailureRound }),
  });
  queue.register(provider, { orderKey: (item) => String(item.payload.From), handle });
  return { queue, messagingState, lines };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("InboundQueue", () => {
  it("handles accepted events after accept resolves, in order per sender, and takes them out of the inbox", async () => {
    const handled: string[] = [];
    const releases: Array<() => void> = [];
    const { queue, messagingState } = setup(async (item) => {
      handled.push(`start ${item.eventId}`);
      // The first event of sender A waits: B's event must not wait for it, A's second must.
      if (item.eventId === "a1") await new Promise<void>((resolve) => releases.push(resolve));
      handled.push(`end ${item.eventId}`);
    });
    expect(await queue.accept(event("a1", "A"))).toBe(true);
    expect(await queue.accept(event("a2", "A"))).toBe(true);
    expect(await queue.accept(event("b1", "B"))).toBe(true);
    expect(handled).toEqual([]); // nothing runs inside the webhook's own turn
    expect((await messagingState.listUnhandledInbound(provider)).map((item) => item.eventId)).toEqual([
      "a1",
      "a2",
      "b1",
    ]);
    for (let index = 0; index < 10 && !handled.includes("end b1"); index++) await tick();
    expect(handled).toEqual(["start a1", "start b1", "end b1"]);
    // settled() waits for every event of that sender, the ones queued behind too.
    let settledA = false;
    void queue.settled(provider, "A").then(() => {
      settledA = true;
    });
    await queue.settled(provider, "B");
    expect(settledA).toBe(false);
    releases[0]?.();
    await queue.idle();
    expect(handled).toEqual(["start a1", "start b1", "end b1", "end a1", "start a2", "end a2"]);
    await tick();
    expect(settledA).toBe(true);
    expect(await messagingState.listUnhandledInbound(provider)).toEqual([]);
  });

  it("does not handle a repeat of an accepted event", async () => {
    const handled: string[] = [];
    const { queue } = setup(async (item) => {
      handled.push(String(item.payload.Body));
    });
    expect(await queue.accept(event("s1", "A", "first"))).toBe(true);
    expect(await queue.accept(event("s1", "A", "retry"))).toBe(false);
    await queue.idle();
    expect(await queue.accept(event("s1", "A", "late retry"))).toBe(false);
    await queue.idle();
    expect(handled).toEqual(["first"]);
  });

  it("tries a failed event again, telling the handler it may be partly handled", async () => {
    const attempts: Array<{ id: string; recovered: boolean }> = [];
    const { queue, messagingState, lines } = setup(async (item, context) => {
      attempts.push({ id: item.eventId, recovered: context.recovered });
      if (attempts.length === 1) throw new Error("store unavailable");
    });
    await queue.accept(event("s1", "A"));
    await queue.idle();
    expect(attempts).toEqual([
      { id: "s1", recovered: false },
      { id: "s1", recovered: true },
    ]);
    expect(await messagingState.listUnhandledInbound(provider)).toEqual([]);
    expect(lines.some((line) => line.msg === "could not handle an inbound event; trying again")).toBe(true);
  });

  it("leaves an event that keeps failing in the inbox, and the next start handles it as recovered", async () => {
    const messagingState = createMemoryMessagingStateStore();
    const first = setup(
      async () => {
        throw new Error("always");
      },
      { messagingState, retryDelaysMs: [1] },
    );
    await first.queue.accept(event("s1", "A", "kept"));
    await first.queue.idle();
    expect(first.lines.filter((line) => line.eventId === "s1" && line.level === 50)).toHaveLength(1);
    expect((await messagingState.listUnhandledInbound(provider)).map((item) => item.payload.Body)).toEqual([
      "kept",
    ]);

    const seen: Array<{ body: unknown; recovered: boolean }> = [];
    const second = setup(
      async (item, context) => {
        seen.push({ body: item.payload.Body, recovered: context.recovered });
      },
      { messagingState },
    );
    expect(await second.queue.resumeUnhandled()).toBe(1);
    await second.queue.idle();
    expect(seen).toEqual([{ body: "kept", recovered: true }]);
    expect(await messagingState.listUnhandledInbound(provider)).toEqual([]);
  });

  it("counts each start's failed round; after three the event waits for an operator, who can try it again", async () => {
    const messagingState = createMemoryMessagingStateStore();
    const failing = async () => {
      throw new TypeError("cannot read the payload");
    };
    const rounds: Array<[string, boolean]> = [];
    const onFailureRound = (provider: string, waitingForOperator: boolean) => {
      rounds.push([provider, waitingForOperator]);
    };
    const first = setup(failing, { messagingState, retryDelaysMs: [1], onFailureRound });
    await first.queue.accept(event("s1", "A", "poison"));
    await first.queue.idle();
    const waiting = first.lines.filter((line) => line.eventId === "s1" && line.level === 50);
    expect(waiting.map((line) => [line.failureRounds, line.msg])).toEqual([
      [1, "could not handle an inbound event; it stays in the inbox until the next start"],
    ]);
    // Two more starts fail it again; the third round is the last.
    for (const round of [2, 3]) {
      const next = setup(failing, { messagingState, retryDelaysMs: [1], onFailureRound });
      expect(await next.queue.resumeUnhandled()).toBe(1);
      await next.queue.idle();
      const last = next.lines.filter((line) => line.eventId === "s1" && line.level === 50).at(-1);
      expect(last?.failureRounds).toBe(round);
      if (round === 3) expect(String(last?.msg)).toMatch(/gave up.*operator/);
    }
    expect(rounds).toEqual([
      [provider, false],
      [provider, false],
      [provider, true],
    ]);
    const [kept] = await messagingState.listUnhandledInbound(provider);
    expect(kept).toMatchObject({
      eventId: "s1",
      failures: 3,
      lastError: "TypeError: cannot read the payload",
    });

    // The next start leaves it alone and says so; it is listed for the operator.
    const seen: string[] = [];
    const fixed = setup(
      async (item) => {
        seen.push(String(item.payload.Body));
      },
      { messagingState },
    );
    expect(await fixed.queue.resumeUnhandled()).toBe(0);
    await fixed.queue.accept(event("s2", "B", "fine"));
    await fixed.queue.idle();
    expect(seen).toEqual(["fine"]);
    expect(fixed.lines.some((line) => String(line.msg).includes("wait in the inbox for an operator"))).toBe(
      true,
    );
    expect(await fixed.queue.listFailed()).toEqual([
      expect.objectContaining({ eventId: "s1", failures: 3, waitingForOperator: true }),
    ]);

    // The operator tries it again (the bug is fixed): handled as recovered, out of the inbox.
    expect(await fixed.queue.retryFailed(provider, "nope")).toBe(false);
    expect(await fixed.queue.retryFailed(provider, "s1")).toBe(true);
    await fixed.queue.idle();
    expect(seen).toEqual(["fine", "poison"]);
    expect(await messagingState.listUnhandledInbound(provider)).toEqual([]);
    expect(await fixed.queue.listFailed()).toEqual([]);
    expect(await fixed.queue.retryFailed(provider, "s1")).toBe(false);
  });

  it("does not start a second handling when an operator retries an event this process is still trying", async () => {
    let calls = 0;
    const { queue, messagingState } = setup(
      async () => {
        calls++;
        if (calls === 1) throw new Error("first attempt fails");
      },
      { retryDelaysMs: [200] },
    );
    await queue.accept(event("s1", "A"));
    while (calls === 0) await tick();
    // Between its first and second attempt:
    expect(await queue.retryFailed(provider, "s1")).toBe(true);
    await queue.idle();
    expect(calls).toBe(2);
    expect(await messagingState.listUnhandledInbound(provider)).toEqual([]);
  });

  it("stops retrying when closed, leaving the event in the inbox", async () => {
    let attempts = 0;
    const { queue, messagingState } = setup(
      async () => {
        attempts++;
        throw new Error("down");
      },
      { retryDelaysMs: [60_000] },
    );
    await queue.accept(event("s1", "A"));
    for (let index = 0; index < 10 && attempts === 0; index++) await tick();
    expect(attempts).toBe(1);
    await queue.close(); // does not wait out the 60 s retry delay
    expect(attempts).toBe(1);
    expect((await messagingState.listUnhandledInbound(provider)).map((item) => item.eventId)).toEqual(["s1"]);
  });

  it("on close, finishes the event being handled and leaves the waiting ones in the inbox", async () => {
    const handled: string[] = [];
    let release!: () => void;
    const { queue, messagingState } = setup(async (item) => {
      if (item.eventId === "a1") await new Promise<void>((resolve) => (release = resolve));
      handled.push(item.eventId);
    });
    await queue.accept(event("a1", "A"));
    await queue.accept(event("a2", "A"));
    await queue.accept(event("b1", "B"));
    for (let index = 0; index < 10 && !handled.includes("b1"); index++) await tick();
    const closed = queue.close();
    release();
    await closed;
    expect(handled).toEqual(["b1", "a1"]);
    expect((await messagingState.listUnhandledInbound(provider)).map((item) => item.eventId)).toEqual(["a2"]);
  });

  it("lets one of two processes sharing the store handle an event; the other waits out the lease once", async () => {
    const messagingState = createMemoryMessagingStateStore();
    let release!: () => void;
    const handledBy: string[] = [];
    const first = setup(
      async () => {
        await new Promise<void>((resolve) => (release = resolve));
        handledBy.push("first");
      },
      { messagingState },
    );
    const second = setup(
      async () => {
        handledBy.push("second");
      },
      { messagingState, claimLeaseMs: 20 },
    );
    await first.queue.accept(event("s1", "A"));
    for (let index = 0; index < 10 && !release; index++) await tick();
    // The second process starts while the first is handling s1 (a rolling deploy).
    expect(await second.queue.resumeUnhandled()).toBe(1);
    await second.queue.idle(); // its claim failed, and failed again after its 20 ms pause
    release();
    await first.queue.idle();
    expect(handledBy).toEqual(["first"]);
    expect(await messagingState.listUnhandledInbound(provider)).toEqual([]);
  });

  it("takes over an event whose claim ran out (its process stopped), as recovered", async () => {
    const messagingState = createMemoryMessagingStateStore();
    const stopped = setup(() => new Promise<void>(() => undefined), { messagingState, claimLeaseMs: 10 });
    await stopped.queue.accept(event("s1", "A", "left behind"));
    for (let index = 0; index < 10; index++) await tick(); // it claimed s1, and never finishes
    const seen: Array<{ body: unknown; recovered: boolean }> = [];
    const next = setup(
      async (item, context) => {
        seen.push({ body: item.payload.Body, recovered: context.recovered });
      },
      { messagingState, claimLeaseMs: 10 },
    );
    await next.queue.resumeUnhandled();
    await next.queue.idle();
    expect(seen).toEqual([{ body: "left behind", recovered: true }]);
    expect(await messagingState.listUnhandledInbound(provider)).toEqual([]);
  });

  it("does not hold up the sender's later events, or the queue, for an event another process holds", async () => {
    const messagingState = createMemoryMessagingStateStore();
    await messagingState.acceptInbound(event("held", "A"));
    expect(await messagingState.claimInbound(provider, "held", "another-process", 60_000)).toBe(true);
    const handled: string[] = [];
    const { queue } = setup(
      async (item) => {
        handled.push(item.eventId);
      },
      { messagingState, claimLeaseMs: 60_000 },
    );
    expect(await queue.resumeUnhandled()).toBe(1);
    await queue.accept(event("later", "A"));
    for (let index = 0; index < 20 && !handled.includes("later"); index++) await tick();
    expect(handled).toEqual(["later"]);
    await queue.close(); // the deferred retry is dropped; the event stays in the inbox
    expect((await messagingState.listUnhandledInbound(provider)).map((item) => item.eventId)).toEqual([
      "held",
    ]);
  });

  it("tries again when the store fails while claiming the event", async () => {
    const store = createMemoryMessagingStateStore();
    let failures = 1;
    const messagingState: MessagingStateStore = {
      ...store,
      claimInbound: (...args) => {
        if (failures-- > 0) return Promise.reject(new Error("store unavailable"));
        return store.claimInbound(...args);
      },
    };
    const handled: string[] = [];
    const { queue } = setup(
      async (item) => {
        handled.push(item.eventId);
      },
      { messagingState },
    );
    await queue.accept(event("s1", "A"));
    await queue.idle();
    expect(handled).toEqual(["s1"]);
    expect(await store.listUnhandledInbound(provider)).toEqual([]);
  });

  it("refuses an event of a provider nobody handles, before storing it", async () => {
    const { queue, messagingState } = setup(async () => {});
    await expect(queue.accept({ ...event("x1", "A"), provider: "unknown" })).rejects.toThrow(
      /no inbound handler/,
    );
    expect(await messagingState.listUnhandledInbound("unknown")).toEqual([]);
  });
});
