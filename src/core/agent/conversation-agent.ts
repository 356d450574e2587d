import type { LanguageModelV3 } from "@ai-sdk/provider";
import type { ChannelName } from "../../ports/channel.js";
import type { ConversationStore, StoredMessage } from "../../ports/conversation-store.js";
import {
  type ConversationSummaryState,
  compactHistory,
  summaryStateOf,
} from "../conversation/compact-history.js";
import { ConversationSession } from "../conversation/conversation-session.js";
import type { ToolSet } from "../tools/tool-set.js";
import { buildSystemPrompts } from "./system-prompt.js";
import type { TurnEvent } from "./turn-event.js";

export interface ConversationAgentOptions {
  store: ConversationStore;
  model: LanguageModelV3;
  toolSet: ToolSet;
  /** The agent's own prompt (who it is, what it does). */
  systemPrompt: string;
  /** Style instructions supplied by each channel (voice: short, spoken, no markdown). */
  channelInstructions: Partial<Record<ChannelName, string>>;
  maxSteps: number;
  maxOutputTokens: number;
  temperature: number | undefined;
  /** How many recent messages a session loads into the prompt. */
  historyLimit: number;
  /** Unsummarised history above this many characters is compacted into the stored summary. */
  historyBudgetChars?: number;
  /** Messages always kept verbatim when compacting. */
  keepRecentMessages?: number;
}

export interface AgentEvent {
  conversationId: string;
  /** The customer of the conversation, when known. */
  customerId: string | null;
  channel: ChannelName;
  event: TurnEvent;
}

export type AgentObserver = (event: AgentEvent) => void;

/**
 * The channel-agnostic agent: one prompt, one toolset, one memory. Channels open a session on a
 * conversation and run turns through it; observers see every turn event.
 */
export class ConversationAgent {
  readonly store: ConversationStore;
  readonly model: LanguageModelV3;
  readonly toolSet: ToolSet;
  readonly systemPrompts: Readonly<Record<ChannelName, string>>;
  readonly maxSteps: number;
  readonly maxOutputTokens: number;
  readonly temperature: number | undefined;
  readonly historyLimit: number;
  readonly historyBudgetChars: number;
  readonly keepRecentMessages: number;
  private readonly compacting = new Map<string, Promise<ConversationSummaryState | undefined>>();
  /** Each observer, and whether it asked for text deltas. */
  private readonly observers = new Map<AgentObserver, boolean>();
  private textDeltaObservers = 0;
  /** Session work (turns, appends) queued or running, across all sessions. */
  private sessionWork = 0;
  private idleWaiters: Array<() => void> = [];
  /** True once `settle` was called: sessions write at once instead of batching their appends. */
  closing = false;

  constructor(options: ConversationAgentOptions) {
    this.store = options.store;
    this.model = options.model;
    this.toolSet = options.toolSet;
    this.systemPrompts = Object.freeze(buildSystemPrompts(options.systemPrompt, options.channelInstructions));
    this.maxSteps = options.maxSteps;
    this.maxOutputTokens = options.maxOutputTokens;
    this.temperature = options.temperature;
    this.historyLimit = options.historyLimit;
    this.historyBudgetChars = options.historyBudgetChars ?? 16_000;
    this.keepRecentMessages = options.keepRecentMessages ?? 12;
  }

  /** Loads the conversation's recent history once; the session keeps it in memory from then on. */
  async openSession(conversationId: string, channel: ChannelName): Promise<ConversationSession> {
    const conversation = await this.store.getConversation(conversationId);
    if (!conversation) throw new Error(`Conversation ${conversationId} not found`);
    const summary = summaryStateOf(conversation.metadata);
    const history = (await this.store.listMessages(conversationId, { limit: this.historyLimit })).filter(
      (message) => message.sequence > summary.summaryThroughSequence,
    );
    return new ConversationSession(this, conversation, channel, history, summary);
  }

  /**
   * The session for the next turn of an asynchronous channel: `cached` when it is still current
   * for `userMessage` (two small reads instead of the history), a freshly opened one otherwise.
   */
  async resumeSession(
    cached: ConversationSession | undefined,
    userMessage: StoredMessage,
    channel: ChannelName,
  ): Promise<ConversationSession> {
    const conversationId = userMessage.conversationId;
    if (cached && cached.conversationId === conversationId && cached.channel === channel) {
      // The newest messages first: when they already rule the session out, one small read is the cost.
      const recent = await this.store.listMessages(conversationId, { limit: 3 });
      if (cached.continuesWith(recent, userMessage)) {
        const conversation = await this.store.getConversation(conversationId);
        if (conversation && cached.agreesWith(conversation)) return cached;
      }
    }
    return this.openSession(conversationId, channel);
  }

  /** Folds older messages into the stored summary when over budget; one run per conversation at a time. */
  compact(conversationId: string): Promise<ConversationSummaryState | undefined> {
    const running = this.compacting.get(conversationId);
    if (running) return running;
    const run = compactHistory({
      store: this.store,
      model: this.model,
      conversationId,
      budgetChars: this.historyBudgetChars,
      keepRecent: this.keepRecentMessages,
    }).finally(() => this.compacting.delete(conversationId));
    this.compacting.set(conversationId, run);
    return run;
  }

  /**
   * Adds an observer of every turn's events. Text deltas (one per streamed chunk) are delivered only
   * with `textDeltas: true`; the turn-end event carries the timings most observers want instead.
   */
  subscribe(observer: AgentObserver, options: { textDeltas?: boolean } = {}): () => void {
    if (this.observers.has(observer)) return () => this.unsubscribe(observer);
    const textDeltas = options.textDeltas === true;
    this.observers.set(observer, textDeltas);
    if (textDeltas) this.textDeltaObservers++;
    return () => this.unsubscribe(observer);
  }

  private unsubscribe(observer: AgentObserver): void {
    const textDeltas = this.observers.get(observer);
    if (textDeltas === undefined) return;
    this.observers.delete(observer);
    if (textDeltas) this.textDeltaObservers--;
  }

  get hasObservers(): boolean {
    return this.observers.size > 0;
  }

  /** True when some observer asked for text deltas. */
  get observesTextDeltas(): boolean {
    return this.textDeltaObservers > 0;
  }

  /** Called by a session when it queues work (a turn, an append). */
  workStarted(): void {
    this.sessionWork++;
  }

  /** Called by a session when work it queued has settled. */
  workSettled(): void {
    this.sessionWork--;
    if (this.sessionWork > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * For shutdown, before the store closes: a turn whose reply went out still writes its transcript
   * after. Appends held for a batch run now, later ones run at once, and this resolves when no
   * session has work queued or running, or after `limitMs`.
   */
  async settle(limitMs = 5000): Promise<void> {
    this.closing = true;
    this.store.runPendingWrites?.();
    if (this.sessionWork === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, limitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Called by sessions; an observer that throws is isolated from the turn. */
  notify(event: AgentEvent): void {
    const isTextDelta = event.event.type === "text-delta";
    for (const [observer, textDeltas] of this.observers) {
      if (isTextDelta && !textDeltas) continue;
      try {
        observer(event);
      } catch {
        // Observers never break a turn.
      }
    }
  }
}
