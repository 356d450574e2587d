import { Analytics } from "@segment/analytics-node";
import type { AgentEvent } from "../core/agent/conversation-agent.js";
import type { Logger } from "../observability/logger.js";
import type { ChannelName } from "../ports/channel.js";
import type { Customer } from "../ports/customer-store.js";

export interface SegmentAnalytics {
  /** `identify` a resolved customer (no phone numbers or emails are sent: traits are name and language). */
  identify(customer: Customer, channel: ChannelName): void;
  /** Observer of the agent's events: one `track` per finished turn of a known customer. */
  observe(event: AgentEvent): void;
  close(): Promise<void>;
}

/**
 * Optional Segment integration (SEGMENT_WRITE_KEY) with Segment's own `@segment/analytics-node`:
 * identify resolved customers and track each turn. An observer only: it batches in the background
 * and never delays a turn.
 */
export function createSegmentAnalytics(options: {
  writeKey: string;
  host?: string;
  flushAt?: number;
  flushIntervalMs?: number;
  logger: Logger;
}): SegmentAnalytics {
  const analytics = new Analytics({
    writeKey: options.writeKey,
    ...(options.host ? { host: options.host } : {}),
    flushAt: options.flushAt ?? 20,
    flushInterval: options.flushIntervalMs ?? 5000,
  });
  analytics.on("error", (error) => options.logger.warn({ err: error }, "segment: delivery failed"));
  return {
    identify(customer, channel) {
      analytics.identify({
        userId: customer.id,
        traits: {
          ...(customer.name ? { name: customer.name } : {}),
          ...(customer.language ? { language: customer.language } : {}),
          createdAt: new Date(customer.createdAt).toISOString(),
          firstChannel: channel,
        },
      });
    },
    observe({ event, customerId, conversationId, channel }) {
      if (event.type !== "turn-end" || !customerId) return;
      analytics.track({
        userId: customerId,
        event: "Conversation Turn",
        properties: {
          conversationId,
          channel,
          finishReason: event.finishReason,
          aborted: event.aborted,
          outputTokens: event.usage.outputTokens ?? null,
        },
      });
    },
    close() {
      return analytics.closeAndFlush({ timeout: 5000 });
    },
  };
}
