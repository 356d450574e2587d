import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AgentEvent } from "../core/agent/conversation-agent.js";
import type { OutboxEntry } from "../ports/outbox-store.js";

export interface MetricsSources {
  /** Open WebSockets (voice calls and web chats), read at each scrape. */
  webSocketConnections: () => number;
  /** SMS and email events accepted and not yet handled by this process. */
  inboxBacklog: () => number;
  /** SMS and email replies scheduled and not yet finished by this process. */
  replyBacklog: () => number;
}

export interface SwitchboardMetrics {
  readonly registry: Registry;
  /** The text exposition (starts the process metrics on first use). */
  exposition(): Promise<string>;
  /** An agent observer: turns, first-token latency, tool calls, errors and tokens by channel. */
  observeAgent(event: AgentEvent): void;
  /** The outbox worker's final outcomes (sent, failed, dead). */
  observeOutbox(entry: OutboxEntry, outcome: { status: "sent" | "failed" | "dead" }): void;
  /** A web chat or a web chat message refused for its address's limits. */
  countWebChatRefusal(reason: WebChatRefusal): void;
  /** A round of handling an inbox event failed; `waitingForOperator` when it was the last one. */
  countInboundFailureRound(provider: string, waitingForOperator: boolean): void;
}

export type WebChatRefusal = "too_many_chats" | "rate_limited";

/**
 * The values of one labelled series, handed to prom-client in bulk: when the metric is read (its
 * `collect`, at each scrape) or once 1,024 wait. prom-client hashes and checks the labels on every
 * `observe` and `inc`; five of those per voice turn were ≈ 4 % of the turn's CPU
 * (docs/performance.md).
 */
class PendingValues {
  private values: number[] = [];

  constructor(private readonly apply: (values: readonly number[]) => void) {}

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.values.push(value);
    if (this.values.length >= 1024) this.flush();
  }

  flush(): void {
    if (this.values.length === 0) return;
    const values = this.values;
    this.values = [];
    this.apply(values);
  }
}

interface ChannelSeries {
  turnsByReason: Map<string, PendingValues>;
  duration: PendingValues;
  firstToken: PendingValues;
}

/** Seconds: a first token is expected in milliseconds, a whole turn can take seconds. */
const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics (`GET /metrics`) in the app's own registry. Filled by observers of the agent's
 * event stream and the outbox, and by gauges read at scrape time; nothing here is awaited by a turn
 * or a webhook. Labels carry no customer content: channel, finish reason, error code, tool name.
 */
export function createMetrics(sources: MetricsSources): SwitchboardMetrics {
  const registry = new Registry();
  // The process metrics that sample continuously (event-loop delay, GC) start at the first scrape:
  // a server nobody scrapes does not pay for them.
  let processMetricsStarted = false;
  const startProcessMetrics = () => {
    if (processMetricsStarted) return;
    processMetricsStarted = true;
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  };

  // A turn's five observations wait in plain arrays and reach prom-client in bulk (PendingValues):
  // the metrics that hold such values hand them over whenever they are read.
  const pendingSeries: PendingValues[] = [];
  const flushPending = () => {
    for (const series of pendingSeries) series.flush();
  };
  const turns = new Counter({
    name: "switchboard_turns_total",
    help: "Agent turns finished, by channel and finish reason",
    labelNames: ["channel", "finish_reason"] as const,
    registers: [registry],
    collect: () => flushPending(),
  });
  const turnErrors = new Counter({
    name: "switchboard_turn_errors_total",
    help: "Errors reported by agent turns (model or tool failures), by channel and error code",
    labelNames: ["channel", "code"] as const,
    registers: [registry],
  });
  const toolCalls = new Counter({
    name: "switchboard_tool_calls_total",
    help: "Tool calls made by the agent, by tool",
    labelNames: ["tool"] as const,
    registers: [registry],
  });
  const tokens = new Counter({
    name: "switchboard_model_tokens_total",
    help: "Tokens reported by the model, by direction (input or output)",
    labelNames: ["direction"] as const,
    registers: [registry],
    collect: () => flushPending(),
  });
  const firstToken = new Histogram({
    name: "switchboard_first_token_seconds",
    help: "From the start of a turn to the model's first text, by channel",
    labelNames: ["channel"] as const,
    buckets: latencyBuckets,
    registers: [registry],
    collect: () => flushPending(),
  });
  const turnDuration = new Histogram({
    name: "switchboard_turn_seconds",
    help: "From the start of a turn to its end (all model steps and tool calls), by channel",
    labelNames: ["channel"] as const,
    buckets: latencyBuckets,
    registers: [registry],
    collect: () => flushPending(),
  });
  const outbox = new Counter({
    name: "switchboard_outbox_deliveries_total",
    help: "Outbound messages by kind and final outcome (sent, failed, dead)",
    labelNames: ["kind", "status"] as const,
    registers: [registry],
  });
  const webChatRefusals = new Counter({
    name: "switchboard_web_chat_refusals_total",
    help: "Web chats (too_many_chats) and web chat messages (rate_limited) refused for their address's limits",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const inboundFailureRounds = new Counter({
    name: "switchboard_inbound_failure_rounds_total",
    help: "Rounds of retries spent on an SMS or email webhook without handling it, by provider and what follows (retry_at_next_start, waiting_for_operator)",
    labelNames: ["provider", "outcome"] as const,
    registers: [registry],
  });
  // Read at scrape time from the app's own counts.
  const scraped: Array<[name: string, help: string, read: () => number]> = [
    [
      "switchboard_websocket_connections",
      "Open WebSockets (voice calls and web chats)",
      sources.webSocketConnections,
    ],
    [
      "switchboard_inbox_backlog",
      "SMS and email webhooks accepted (in the inbox) and not yet handled by this process",
      sources.inboxBacklog,
    ],
    [
      "switchboard_reply_backlog",
      "SMS and email replies scheduled and not yet finished by this process",
      sources.replyBacklog,
    ],
  ];
  for (const [name, help, read] of scraped)
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });

  const track = (series: PendingValues) => {
    pendingSeries.push(series);
    return series;
  };
  const histogramSeries = (histogram: Histogram<"channel">, channel: string) =>
    track(
      new PendingValues((values) => {
        const child = histogram.labels(channel);
        for (const value of values) child.observe(value);
      }),
    );
  const counterSeries = (counter: Counter<string>, ...labels: string[]) =>
    track(
      new PendingValues((values) => {
        let total = 0;
        for (const value of values) total += value;
        counter.labels(...labels).inc(total);
      }),
    );
  const channels = new Map<string, ChannelSeries>();
  const channelSeries = (channel: string): ChannelSeries => {
    let found = channels.get(channel);
    if (found === undefined) {
      found = {
        turnsByReason: new Map(),
        duration: histogramSeries(turnDuration, channel),
        firstToken: histogramSeries(firstToken, channel),
      };
      channels.set(channel, found);
    }
    return found;
  };
  const inputTokens = counterSeries(tokens, "input");
  const outputTokens = counterSeries(tokens, "output");

  return {
    registry,
    async exposition() {
      startProcessMetrics();
      return registry.metrics();
    },
    observeAgent({ channel, event }) {
      switch (event.type) {
        case "turn-end": {
          const series = channelSeries(channel);
          const reason = event.finishReason;
          let finished = series.turnsByReason.get(reason);
          if (finished === undefined) {
            finished = counterSeries(turns, channel, reason);
            series.turnsByReason.set(reason, finished);
          }
          finished.add(1);
          series.duration.add(event.durationMs / 1000);
          if (event.firstTextMs !== undefined) series.firstToken.add(event.firstTextMs / 1000);
          if (event.usage.inputTokens) inputTokens.add(event.usage.inputTokens);
          if (event.usage.outputTokens) outputTokens.add(event.usage.outputTokens);
          break;
        }
        case "tool-call":
          toolCalls.inc({ tool: event.toolName });
          break;
        case "error":
          turnErrors.inc({ channel, code: event.error.code });
          break;
        default:
          break;
      }
    },
    observeOutbox(entry, outcome) {
      outbox.inc({ kind: entry.kind, status: outcome.status });
    },
    countWebChatRefusal(reason) {
      webChatRefusals.inc({ reason });
    },
    countInboundFailureRound(provider, waitingForOperator) {
      inboundFailureRounds.inc({
        provider,
        outcome: waitingForOperator ? "waiting_for_operator" : "retry_at_next_start",
      });
    },
  };
}
