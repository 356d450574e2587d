import { randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { ConversationAgent } from "../../core/agent/conversation-agent.js";
import type { ConversationSession, TurnOutcome } from "../../core/conversation/conversation-session.js";
import { lazyChildLogger } from "../../observability/lazy-child-logger.js";
import { logKeys } from "../../observability/log-keys.js";
import type { Logger } from "../../observability/logger.js";
import type { StoredMessage } from "../../ports/conversation-store.js";
import type { MessagingStateStore } from "../../ports/messaging-state-store.js";
import { AfterLease } from "./after-lease.js";
import { WebhookPressure } from "./webhook-pressure.js";
import { YieldingLimiter } from "./yielding-limiter.js";

export type AsyncChannel = "sms" | "email";

/** Turns a finished turn into outbound messages (enqueued in the outbox). */
export type ReplyDelivery = (outcome: TurnOutcome, userMessage: StoredMessage) => Promise<void>;

/**
 * Answers SMS and email after their webhook has been acknowledged. The inbound message is stored
 * and recorded as a pending turn before the 200 goes out, so a crash before the reply is produced
 * is resumed at the next start. Turns of one conversation run one after another; at most 64 replies
 * run at once, and a burst of webhooks is answered before its replies are produced.
 */
export class AsyncReplyRunner {
  private readonly deliveries = new Map<AsyncChannel, ReplyDelivery>();
  private readonly queues = new Map<string, Promise<void>>();
  /** Replies scheduled here and not finished (a gauge for metrics). */
  private scheduledCount = 0;
  /** Inbound messages arriving while the loop is saturated: replies then start at a slower pace. */
  private readonly pressure: WebhookPressure;
  /** Replies in flight at once; new ones start one per event-loop turn (see YieldingLimiter). */
  private readonly limiter: YieldingLimiter;
  /**
   * Per conversation, the newest customer message a sent reply's prompt included: a message at or
   * below it was answered together with it (a burst of texts gets one reply, not one per text).
   */
  private readonly answeredThrough = new LRUCache<string, number>({ max: 100_000, ttl: 10 * 60_000 });
  /**
   * Sessions of recent conversations, so the next SMS or email of a conversation does not reload
   * its history; each is checked against the store before it is reused (`resumeSession`).
   */
  private readonly sessions = new LRUCache<string, ConversationSession>({
    maxSize: 50_000,
    sizeCalculation: (session) => Math.max(1, session.size),
    ttl: 10 * 60_000,
  });

  /** This process, as the owner of its claims on pending turns. */
  private readonly owner = randomUUID();
  private closed = false;
  /** Turns whose claim failed once, tried again after the other lease (see `reply`). */
  private readonly afterLease: AfterLease;
  /** How long this process's claims keep the others off. */
  private readonly leaseMs: number;

  constructor(
    private readonly dependencies: {
      agent: ConversationAgent;
      messagingState: MessagingStateStore;
      logger: Logger;
      /** Shared with the inbox, which notes the webhooks' arrivals. */
      pressure?: WebhookPressure;
      /** How long a claim on a pending turn keeps other processes off it (default 120 s). */
      claimLeaseMs?: number;
    },
  ) {
    this.pressure = dependencies.pressure ?? new WebhookPressure();
    this.limiter = new YieldingLimiter(64, () => this.pressure.underPressure);
    this.leaseMs = dependencies.claimLeaseMs ?? 120_000;
    this.afterLease = new AfterLease(this.leaseMs);
  }

  register(channel: AsyncChannel, delivery: ReplyDelivery): void {
    this.deliveries.set(channel, delivery);
  }

  /** Durably notes that `userMessage` needs a reply (call before acknowledging the webhook). */
  accept(userMessage: StoredMessage): Promise<void> {
    this.pressure.noteArrival();
    return this.dependencies.messagingState.addPendingTurn({
      messageId: userMessage.id,
      conversationId: userMessage.conversationId,
      channel: userMessage.channel,
      createdAt: userMessage.createdAt,
    });
  }

  /**
   * Runs the reply in the background, after earlier turns of the same conversation and, when given,
   * after `after` (the customer's later messages still in the inbox: one reply then answers them all).
   */
  schedule(userMessage: StoredMessage, after?: Promise<void>, lastChance = false): void {
    const key = userMessage.conversationId;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => after)
      .then(() => this.limiter.run(() => this.reply(userMessage, lastChance)));
    this.queues.set(key, next);
    this.scheduledCount++;
    next.finally(() => {
      this.scheduledCount--;
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
  }

  /** Replies to every turn left pending by a previous process. */
  async resumePending(): Promise<number> {
    const { agent, messagingState, logger } = this.dependencies;
    const pending = await messagingState.listPendingTurns();
    for (const turn of pending) {
      const messages = await agent.store.listMessages(turn.conversationId);
      const userMessage = messages.find((message) => message.id === turn.messageId);
      if (!userMessage) {
        await messagingState.removePendingTurn(turn.messageId);
        continue;
      }
      logger.info(
        { [logKeys.conversationId]: turn.conversationId, [logKeys.channel]: turn.channel },
        "resuming a pending reply",
      );
      this.schedule(userMessage);
    }
    return pending.length;
  }

  /** Replies scheduled by this process and not finished (waiting or being produced). */
  get backlog(): number {
    return this.scheduledCount;
  }

  /** Turns whose claim another process held, waiting for its lease to run out before one more try. */
  get waitingForLease(): number {
    return this.afterLease.size;
  }

  /** Resolves when no reply is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size > 0 || this.afterLease.size > 0)
      await Promise.allSettled([...this.queues.values(), this.afterLease.settled()]);
  }

  /**
   * Shutdown: waits for the replies being produced and starts no more. The others stay pending on
   * disk and are answered at the next start.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.afterLease.drop();
    await this.idle();
  }

  private async reply(userMessage: StoredMessage, lastChance: boolean): Promise<void> {
    if (this.closed) return; // still pending: the next start answers it
    const { agent, messagingState, logger } = this.dependencies;
    const channel = userMessage.channel as AsyncChannel;
    const log = lazyChildLogger(logger, {
      [logKeys.conversationId]: userMessage.conversationId,
      [logKeys.channel]: channel,
    });
    const delivery = this.deliveries.get(channel);
    if (!delivery) {
      log.error("no reply delivery registered for this channel");
      return;
    }
    try {
      const key = `${channel}:${userMessage.conversationId}`;
      if (userMessage.sequence <= (this.answeredThrough.get(key) ?? -1)) {
        // Already in the prompt of a reply that went out: answered together with the later texts.
        await messagingState.removePendingTurn(userMessage.id);
        return;
      }
      // Of several processes sharing the store (each resumes the pending turns it finds at its
      // start), the one holding the claim answers.
      if (!(await messagingState.claimPendingTurn(userMessage.id, this.owner, this.leaseMs))) {
        // Answered already, or held by another process: one producing the reply, or one that stopped.
        if (!lastChance) {
          this.afterLease.schedule(() => {
            if (!this.closed) this.schedule(userMessage, undefined, true);
          });
        }
        return;
      }
      const cached = this.sessions.get(key);
      this.sessions.delete(key); // kept again below only when the turn completed cleanly
      const session = await agent.resumeSession(cached, userMessage, channel);
      // A backlog longer than the history window leaves its oldest messages out of the session:
      // the turn answers the newest one instead, and with it every message before it.
      const newest = session.lastUserMessage;
      const answering =
        newest && newest.sequence > userMessage.sequence && !session.holds(userMessage.id)
          ? newest
          : userMessage;
      const outcome = await session.runTurn({ text: answering.text }, { storedUserMessage: answering });
      if (outcome.error)
        log.error({ [logKeys.errorCode]: outcome.error.code, err: outcome.error }, "reply turn failed");
      else this.sessions.set(key, session);
      await delivery(outcome, answering);
      if (!outcome.error && outcome.text.trim()) this.answeredThrough.set(key, session.lastUserSequence);
      await messagingState.removePendingTurn(userMessage.id);
    } catch (error) {
      // Left pending, and the claim given up: the next start retries it.
      log.error({ err: error }, "could not produce the reply; it stays pending");
      await messagingState.claimPendingTurn(userMessage.id, this.owner, -1).catch(() => undefined);
    }
  }
}
