import { randomUUID } from "node:crypto";
import type { Logger } from "../../observability/logger.js";
import type { InboundEvent, MessagingStateStore } from "../../ports/messaging-state-store.js";
import { AfterLease } from "./after-lease.js";
import type { WebhookPressure } from "./webhook-pressure.js";
import { YieldingLimiter } from "./yielding-limiter.js";

/** An event waiting to be handled; `lastChance` after its claim failed once (see `handle`). */
interface Scheduled {
  event: InboundEvent;
  recovered: boolean;
  lastChance?: boolean;
}

/** The events of one order key: waiting from `head` on, handled one at a time. */
interface KeyQueue {
  waiting: Array<Scheduled | undefined>;
  head: number;
  /** The event being handled now (its attempts and the pauses between them), if any. */
  current?: InboundEvent | undefined;
  settledWaiters: Array<() => void>;
}

/** How one provider's accepted events are handled. */
export interface InboundHandler {
  /** Events with the same key are handled one after another, in the order they were accepted. */
  orderKey(event: InboundEvent): string;
  /**
   * Handles the event. `recovered` is true when a previous process accepted it: it may have been
   * partly handled before that process stopped, so the handler must not repeat what was done.
   */
  handle(event: InboundEvent, context: { recovered: boolean }): Promise<void>;
}

/**
 * Rounds of failed handling (each a process spending its retries; one round per start at most)
 * after which an inbox event waits for an operator instead of being tried at every start.
 */
export const maxInboundFailureRounds = 3;

/**
 * The inbox of the messaging webhooks. A webhook is acknowledged once its event is accepted: its
 * de-duplication record and its content are one durable write. It is handled afterwards, in
 * arrival order per sender, at most 64 at once, started one per loop turn (one per 10 ms while
 * webhooks saturate the loop, so a burst is acknowledged first). A handler that fails is tried again
 * after each of `retryDelaysMs`; after that the event stays in the inbox and the next start
 * handles it, up to `maxInboundFailureRounds` rounds; then it waits for an operator. Before
 * handling, the process claims the event (a lease), so that of several processes sharing the store
 * only one handles it. An acknowledged webhook is therefore never lost, and
 * handled once.
 */
export class InboundQueue {
  private readonly handlers = new Map<string, InboundHandler>();
  /** Per order key, the events waiting and whether one is being handled (absent once all are done). */
  private readonly queues = new Map<string, KeyQueue>();
  /** Events scheduled here and not yet through their handler (a gauge for metrics). */
  private scheduledCount = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly limiter: YieldingLimiter;
  private closed = false;
  /** This process, as the owner of its claims on inbox events. */
  private readonly owner = randomUUID();
  private readonly retryWaits = new Set<() => void>();
  /** Events whose claim failed once, tried again after the other lease (see `handle`). */
  private readonly afterLease: AfterLease;
  /** How long this process's claims keep the others off. */
  private readonly leaseMs: number;

  constructor(
    private readonly dependencies: {
      messagingState: MessagingStateStore;
      logger: Logger;
      pressure: WebhookPressure;
      retryDelaysMs?: readonly number[];
      /** How long a claim on an event keeps other processes off it (default 60 s). */
      claimLeaseMs?: number;
      /** Told of each failed round (metrics); `waitingForOperator` when it was the last one. */
      onFailureRound?: (provider: string, waitingForOperator: boolean) => void;
    },
  ) {
    this.limiter = new YieldingLimiter(64, () => dependencies.pressure.underPressure);
    this.leaseMs = dependencies.claimLeaseMs ?? 60_000;
    this.afterLease = new AfterLease(this.leaseMs);
  }

  register(provider: string, handler: InboundHandler): void {
    this.handlers.set(provider, handler);
  }

  /**
   * Durably accepts the event and schedules its handling; false for a repeat of an event accepted
   * before (a webhook retry), which is not handled again. Call before acknowledging the webhook.
   */
  async accept(event: InboundEvent): Promise<boolean> {
    if (!this.handlers.has(event.provider)) throw new Error(`no inbound handler for ${event.provider}`);
    this.dependencies.pressure.noteArrival();
    const accepted = await this.dependencies.messagingState.acceptInbound(event);
    if (accepted) this.schedule(event, false);
    return accepted;
  }

  /**
   * Handles every event a previous process accepted and did not finish, except those that failed
   * `maxInboundFailureRounds` times: they wait for an operator (`listFailed`, `retryFailed`).
   */
  async resumeUnhandled(): Promise<number> {
    let count = 0;
    let parked = 0;
    for (const provider of this.handlers.keys()) {
      const events = await this.dependencies.messagingState.listUnhandledInbound(provider);
      for (const event of events) {
        if ((event.failures ?? 0) >= maxInboundFailureRounds) {
          parked++;
          continue;
        }
        this.schedule(event, true);
        count++;
      }
    }
    if (count > 0) this.dependencies.logger.info({ events: count }, "handling inbound events left unhandled");
    if (parked > 0)
      this.dependencies.logger.warn(
        { events: parked },
        "inbound events that failed too often wait in the inbox for an operator (GET /api/inbox/failed)",
      );
    return count;
  }

  /**
   * Inbox events of the handled providers whose handling failed at least once, oldest first;
   * `waitingForOperator` when they will not be tried again until `retryFailed`.
   */
  async listFailed(): Promise<Array<InboundEvent & { failures: number; waitingForOperator: boolean }>> {
    const failed: Array<InboundEvent & { failures: number; waitingForOperator: boolean }> = [];
    for (const provider of this.handlers.keys()) {
      for (const event of await this.dependencies.messagingState.listUnhandledInbound(provider)) {
        const failures = event.failures ?? 0;
        if (failures > 0)
          failed.push({ ...event, failures, waitingForOperator: failures >= maxInboundFailureRounds });
      }
    }
    return failed.sort((a, b) => a.receivedAt - b.receivedAt);
  }

  /**
   * An operator asks for another try of an event still in the inbox: its failures are reset and it
   * is handled now (as recovered: it may be partly handled). False when it is not in the inbox.
   */
  async retryFailed(provider: string, eventId: string): Promise<boolean> {
    if (!this.handlers.has(provider) || this.closed) return false;
    const { messagingState, logger } = this.dependencies;
    const events = await messagingState.listUnhandledInbound(provider);
    const event = events.find((candidate) => candidate.eventId === eventId);
    if (!event || !(await messagingState.resetInboundFailures(provider, eventId))) return false;
    // Already on its way here (waiting, or between attempts): only its count is reset.
    if (this.isScheduled(event)) return true;
    logger.info({ provider, eventId }, "inbound event tried again at an operator's request");
    this.schedule({ ...event, failures: 0 }, true);
    return true;
  }

  /** Whether this process is handling the event or has it waiting (an operator's action only). */
  private isScheduled(event: InboundEvent): boolean {
    const same = (other: InboundEvent | undefined) =>
      other?.provider === event.provider && other.eventId === event.eventId;
    for (const queue of this.queues.values()) {
      if (same(queue.current)) return true;
      for (let index = queue.head; index < queue.waiting.length; index++)
        if (same(queue.waiting[index]?.event)) return true;
    }
    return false;
  }

  /**
   * Resolves once no event with this order key is waiting or being handled: a reply that waits for
   * it answers every message of a burst from one sender at once.
   */
  settled(provider: string, orderKey: string): Promise<void> {
    const queue = this.queues.get(`${provider}\u0000${orderKey}`);
    if (!queue) return Promise.resolve();
    return new Promise((resolve) => queue.settledWaiters.push(resolve));
  }

  /** Events accepted or recovered by this process and not yet through their handler. */
  get backlog(): number {
    return this.scheduledCount;
  }

  /** Resolves when no event is being handled or waiting (tests, shutdown). */
  idle(): Promise<void> {
    if (this.queues.size === 0 && this.afterLease.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Shutdown: waits for the events being handled and starts no more. What is still waiting, or
   * failed, stays in the inbox on disk and is handled at the next start, so a large backlog does not
   * hold the process up.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.retryWaits) wake();
    this.afterLease.drop();
    this.notifyIfIdle();
    await this.idle();
  }

  // One array entry per waiting event and one limiter slot request per order key: a burst of
  // thousands of webhooks waits as data, not as thousands of promise chains.
  private schedule(event: InboundEvent, recovered: boolean, lastChance = false): void {
    const handler = this.handlers.get(event.provider);
    if (!handler) return;
    const key = `${event.provider}\u0000${handler.orderKey(event)}`;
    const item: Scheduled = lastChance ? { event, recovered, lastChance } : { event, recovered };
    this.scheduledCount++;
    const queue = this.queues.get(key);
    if (queue) {
      queue.waiting.push(item);
      return;
    }
    const fresh: KeyQueue = { waiting: [item], head: 0, settledWaiters: [] };
    this.queues.set(key, fresh);
    this.admitNext(key, fresh);
  }

  /** Asks the limiter for a slot for the key's next event (at the back: senders take turns). */
  private admitNext(key: string, queue: KeyQueue): void {
    const run = async () => {
      const next = queue.waiting[queue.head];
      queue.waiting[queue.head++] = undefined;
      queue.current = next?.event;
      try {
        const handler = next && this.handlers.get(next.event.provider);
        if (next && handler && !this.closed) await this.handle(handler, next);
      } finally {
        queue.current = undefined;
        this.afterOne(key, queue);
      }
    };
    this.limiter.run(run).catch((error: unknown) => {
      this.dependencies.logger.error({ err: error }, "inbound queue: handling failed unexpectedly");
    });
  }

  private afterOne(key: string, queue: KeyQueue): void {
    this.scheduledCount--;
    if (queue.head < queue.waiting.length && !this.closed) {
      if (queue.head > 64 && queue.head * 2 > queue.waiting.length) {
        queue.waiting.splice(0, queue.head);
        queue.head = 0;
      }
      this.admitNext(key, queue);
      return;
    }
    this.queues.delete(key);
    for (const resolve of queue.settledWaiters) resolve();
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.queues.size === 0 && this.afterLease.size === 0)
      for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async handle(handler: InboundHandler, item: Scheduled): Promise<void> {
    const { messagingState, logger } = this.dependencies;
    const { event } = item;
    const recovered = item.recovered;
    const retryDelaysMs = this.dependencies.retryDelaysMs ?? [1000, 5000, 30_000];
    for (let attempt = 0; ; attempt++) {
      try {
        // The claim is renewed before each attempt; after the first, a failed one means another
        // process took the event over.
        if (!(await this.claim(event))) {
          if (attempt === 0 && !item.lastChance) {
            // Handled already, or held by another process: one working on it, or one that stopped.
            this.afterLease.schedule(() => {
              if (!this.closed) this.schedule(event, true, true);
              this.notifyIfIdle();
            });
          } else
            logger.debug(
              { provider: event.provider, eventId: event.eventId },
              "inbound event handled elsewhere",
            );
          return;
        }
        // After a failed attempt the event may be partly handled, as after a crash.
        await handler.handle(event, { recovered: recovered || attempt > 0 });
        await messagingState.markInboundHandled(event.provider, event.eventId);
        return;
      } catch (error) {
        const delay = retryDelaysMs[attempt];
        const context = {
          err: error,
          provider: event.provider,
          eventId: event.eventId,
          attempt: attempt + 1,
        };
        if (this.closed) {
          logger.error(
            context,
            "could not handle an inbound event; it stays in the inbox until the next start",
          );
          await this.release(event);
          return;
        }
        if (delay === undefined) {
          await this.giveUpRound(event, context, error);
          return;
        }
        logger.warn({ ...context, retryInMs: delay }, "could not handle an inbound event; trying again");
        await this.pause(delay);
        if (this.closed) return this.release(event);
      }
    }
  }

  /**
   * This process's retries are spent: the round is counted with the event. Below
   * `maxInboundFailureRounds` rounds the next start tries it again; at it, it waits for an operator.
   */
  private async giveUpRound(
    event: InboundEvent,
    context: Record<string, unknown>,
    error: unknown,
  ): Promise<void> {
    const { messagingState, logger } = this.dependencies;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const failures = await messagingState
      .recordInboundFailure(event.provider, event.eventId, reason)
      .catch((recordError: unknown) => {
        logger.warn(
          { err: recordError, eventId: event.eventId },
          "could not count an inbound event's failure",
        );
        return 0;
      });
    const waitingForOperator = failures >= maxInboundFailureRounds;
    this.dependencies.onFailureRound?.(event.provider, waitingForOperator);
    if (waitingForOperator)
      logger.error(
        { ...context, failureRounds: failures },
        "gave up on an inbound event; it stays in the inbox for an operator (GET /api/inbox/failed, then retry)",
      );
    else
      logger.error(
        { ...context, failureRounds: failures },
        "could not handle an inbound event; it stays in the inbox until the next start",
      );
    await this.release(event);
  }

  /**
   * Several processes may share the store, and each handles the inbox it finds at its start: a
   * claim (a lease, renewed before each attempt) lets one of them handle an event.
   */
  private claim(event: InboundEvent): Promise<boolean> {
    return this.dependencies.messagingState.claimInbound(
      event.provider,
      event.eventId,
      this.owner,
      this.leaseMs,
    );
  }

  /** Gives the claim up, so the next start does not wait for its lease (failures ignored: it runs out). */
  private async release(event: InboundEvent): Promise<void> {
    await this.dependencies.messagingState
      .claimInbound(event.provider, event.eventId, this.owner, -1)
      .catch(() => undefined);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.retryWaits.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.retryWaits.add(wake);
    });
  }
}
