import { logKeys } from "../../observability/log-keys.js";
import type { Logger } from "../../observability/logger.js";
import type { MessagingStateStore } from "../../ports/messaging-state-store.js";

/** How long a handled webhook's id is kept to recognise a retry: far past any provider's retries. */
export const inboundIdRetentionMs = 30 * 24 * 60 * 60 * 1000;

export interface InboundRetentionOptions {
  messagingState: MessagingStateStore;
  logger: Logger;
  /** Default 30 days, the same as the DynamoDB store's TTL on these records. */
  retentionMs?: number;
  /** The first pass runs this long after `start()` (default 1 minute), then every `intervalMs`. */
  firstDelayMs?: number;
  /** Default 1 hour. */
  intervalMs?: number;
  /** Ids forgotten per store call (default 100: ≈ 0.6 ms of SQLite on the event loop). */
  batchSize?: number;
  /** Pause between batches (default 5 ms), so a large first pass takes a small share of the loop. */
  batchPauseMs?: number;
  now?: () => number;
}

/**
 * Forgets the ids of inbound webhooks (`MessageSid`, email `Message-ID`, event ids) handled more
 * than 30 days ago, so the embedded database does not keep every id it ever received; the DynamoDB
 * store's records expire by TTL instead. Unhandled events are never forgotten. A pass deletes in
 * small batches with a pause between them, so calls and webhooks are not held up behind it
 * (measured on 300,000 ids: 100 per batch ≈ 0.6 ms, 500 ≈ 2.1 ms).
 */
export class InboundRetention {
  private readonly retentionMs: number;
  private readonly firstDelayMs: number;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly batchPauseMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<number> | undefined;
  private closed = false;

  constructor(private readonly options: InboundRetentionOptions) {
    this.retentionMs = options.retentionMs ?? inboundIdRetentionMs;
    this.firstDelayMs = options.firstDelayMs ?? 60_000;
    this.intervalMs = options.intervalMs ?? 60 * 60 * 1000;
    this.batchSize = options.batchSize ?? 100;
    this.batchPauseMs = options.batchPauseMs ?? 5;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (!this.closed && !this.timer) this.schedule(this.firstDelayMs);
  }

  /** One pass now (or the one already running); resolves with how many ids it forgot. */
  runOnce(): Promise<number> {
    this.pass ??= this.forgetOld().finally(() => {
      this.pass = undefined;
    });
    return this.pass;
  }

  /** Stops the schedule; a pass in progress ends after its current batch. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error: unknown) =>
          this.options.logger.error({ err: error }, "inbox: forgetting old ids failed"),
        )
        .finally(() => {
          if (!this.closed) this.schedule(this.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async forgetOld(): Promise<number> {
    const receivedBefore = this.now() - this.retentionMs;
    let total = 0;
    while (!this.closed) {
      const forgotten = await this.options.messagingState.forgetHandledInbound(
        receivedBefore,
        this.batchSize,
      );
      total += forgotten;
      if (forgotten < this.batchSize) break;
      await new Promise((resolve) => setTimeout(resolve, this.batchPauseMs));
    }
    if (total > 0) {
      const days = Math.round(this.retentionMs / 86_400_000);
      this.options.logger.info(
        { [logKeys.count]: total },
        `inbox: forgot ${total} handled webhook ids older than ${days} days`,
      );
    }
    return total;
  }
}
