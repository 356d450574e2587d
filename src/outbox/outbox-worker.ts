import { randomUUID } from "node:crypto";
import { DeliveryError } from "../errors/delivery-error.js";
import { lazyChildLogger } from "../observability/lazy-child-logger.js";
import { logKeys } from "../observability/log-keys.js";
import type { Logger } from "../observability/logger.js";
import type { MessagingStateStore } from "../ports/messaging-state-store.js";
import type { OutboundKind, OutboundSender } from "../ports/outbound-sender.js";
import type { OutboxEntry, OutboxStore } from "../ports/outbox-store.js";
import { retryDelayMs } from "./retry-delay.js";

export interface OutboxWorkerOptions {
  outbox: OutboxStore;
  messagingState: MessagingStateStore;
  senders: Record<OutboundKind, OutboundSender>;
  logger: Logger;
  workerId?: string;
  pollIntervalMs?: number;
  /** How long a claim holds before another worker may take the entry over (crash recovery). */
  leaseMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  batchSize?: number;
  random?: () => number;
  /** Resolves once every write so far is durable; awaited between claiming and sending. */
  flushWrites?: () => Promise<void>;
  /** Called after each final outcome (sent, failed, dead); never awaited by the send path. */
  onOutcome?: (entry: OutboxEntry, outcome: { status: "sent" | "failed" | "dead"; error?: string }) => void;
}

/**
 * Delivers outbox entries: claims due entries (one worker per entry), sends through the sender for
 * the kind, and records the result — retry with exponential backoff and jitter (honouring
 * Retry-After) for retryable failures, `failed` for permanent ones, `dead` when retries run out.
 */
export class OutboxWorker {
  readonly workerId: string;
  private readonly options: Required<Omit<OutboxWorkerOptions, "onOutcome" | "workerId">> &
    Pick<OutboxWorkerOptions, "onOutcome">;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<void> | undefined;
  private wakeRequested = false;

  constructor(options: OutboxWorkerOptions) {
    this.workerId = options.workerId ?? `worker_${randomUUID().slice(0, 8)}`;
    this.options = {
      pollIntervalMs: 500,
      leaseMs: 30_000,
      maxAttempts: 8,
      baseDelayMs: 1000,
      maxDelayMs: 5 * 60_000,
      batchSize: 16,
      random: Math.random,
      flushWrites: async () => {},
      ...options,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Something was enqueued: deliver now instead of at the next poll. */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.wakeRequested = true;
      return;
    }
    clearTimeout(this.timer);
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (!this.running) return;
      if (this.wakeRequested) {
        this.wakeRequested = false;
        this.wake();
        return;
      }
      this.timer = setTimeout(() => this.wake(), this.options.pollIntervalMs);
      this.timer.unref?.();
    });
  }

  /** Delivers everything due now, then returns (tests and shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      const delivered = await this.deliverBatch();
      if (delivered === 0) return;
    }
  }

  private async tick(): Promise<void> {
    try {
      while (this.running && (await this.deliverBatch()) === this.options.batchSize) {
        // A full batch: more may be due.
      }
    } catch (error) {
      this.options.logger.error({ err: error }, "outbox: delivery loop failed; will retry at the next poll");
    }
  }

  private async deliverBatch(): Promise<number> {
    const entries = await this.options.outbox.claimDueOutbound({
      now: Date.now(),
      limit: this.options.batchSize,
      workerId: this.workerId,
      leaseMs: this.options.leaseMs,
    });
    if (entries.length === 0) return 0;
    // The entries and their claim are on disk before anything leaves the process.
    await this.options.flushWrites();
    await Promise.all(entries.map((entry) => this.deliver(entry)));
    // Outcomes on disk promptly: a restart must not find a sent message still marked as sending.
    await this.options.flushWrites();
    return entries.length;
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    const { outbox, messagingState, logger } = this.options;
    const log = lazyChildLogger(logger, {
      outboxId: entry.id,
      [logKeys.conversationId]: entry.conversationId,
      kind: entry.kind,
    });
    const payload = entry.payload;
    if (payload.kind === "sms" || payload.kind === "email") {
      if (await messagingState.isOptedOut(payload.to, payload.kind)) {
        const error = `The recipient has opted out of ${payload.kind === "sms" ? "text messages" : "email"}`;
        await outbox.markOutboundFailed(entry.id, { error, errorCode: "OPTED_OUT", dead: false });
        log.warn("outbox: not sent, recipient opted out");
        this.options.onOutcome?.(entry, { status: "failed", error });
        return;
      }
    }
    const sender = this.options.senders[entry.kind];
    try {
      const result = await sender.send(payload, { idempotencyKey: entry.idempotencyKey });
      await outbox.markOutboundSent(entry.id, {
        sender: sender.name,
        providerMessageId: result.providerMessageId,
        providerStatus: result.status,
      });
      if (result.status === "delivered") {
        await outbox.updateOutboundProviderStatus(result.providerMessageId, {
          providerStatus: "delivered",
          status: "delivered",
          errorCode: null,
        });
      }
      log.info({ sender: sender.name, attempts: entry.attempts }, "outbox: sent");
      this.options.onOutcome?.(entry, { status: "sent" });
    } catch (caught) {
      const error =
        caught instanceof DeliveryError
          ? caught
          : new DeliveryError(sender.name, caught instanceof Error ? caught.message : String(caught), {
              retryable: true,
              cause: caught,
            });
      if (error.retryable && entry.attempts < this.options.maxAttempts) {
        const delay = retryDelayMs(entry.attempts, this.options, error.retryAfterMs);
        await outbox.markOutboundRetry(entry.id, {
          nextAttemptAt: Date.now() + delay,
          error: error.message,
          errorCode: error.providerCode ?? null,
        });
        log.warn(
          { attempts: entry.attempts, retryInMs: delay, reason: error.message },
          "outbox: send failed, will retry",
        );
        const timer = setTimeout(() => this.wake(), delay + 5);
        timer.unref?.();
        return;
      }
      const dead = error.retryable;
      await outbox.markOutboundFailed(entry.id, {
        error: error.message,
        errorCode: error.providerCode ?? null,
        dead,
      });
      if (payload.kind === "sms" && error.providerCode === "21610") {
        await messagingState.setOptOut(payload.to, "sms", true, "Twilio error 21610");
      }
      log.error(
        { attempts: entry.attempts, reason: error.message },
        dead ? "outbox: retries exhausted" : "outbox: send failed permanently",
      );
      this.options.onOutcome?.(entry, { status: dead ? "dead" : "failed", error: error.message });
    }
  }
}
