import type { LanguageModelV3 } from "@ai-sdk/provider";
import type { ChannelName } from "../../ports/channel.js";
import type { ConversationStore } from "../../ports/conversation-store.js";
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
}

export interface AgentEvent {
  conversationId: string;
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
  private readonly observers = new Set<AgentObserver>();

  constructor(options: ConversationAgentOptions) {
    this.store = options.store;
    this.model = options.model;
    this.toolSet = options.toolSet;
    this.systemPrompts = Object.freeze(buildSystemPrompts(options.systemPrompt, options.channelInstructions));
    this.maxSteps = options.maxSteps;
    this.maxOutputTokens = options.maxOutputTokens;
    this.temperature = options.temperature;
    this.historyLimit = options.historyLimit;
  }

  /** Loads the conversation's recent history once; the session keeps it in memory from then on. */
  async openSession(conversationId: string, channel: ChannelName): Promise<ConversationSession> {
    const conversation = await this.store.getConversation(conversationId);
    if (!conversation) throw new Error(`Conversation ${conversationId} not found`);
    const history = await this.store.listMessages(conversationId, { limit: this.historyLimit });
    return new ConversationSession(this, conversation, channel, history);
  }

  subscribe(observer: AgentObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  get hasObservers(): boolean {
    return this.observers.size > 0;
  }

  /** Called by sessions; an observer that throws is isolated from the turn. */
  notify(event: AgentEvent): void {
    for (const observer of this.observers) {
      try {
        observer(event);
      } catch {
        // Observers never break a turn.
      }
    }
  }
}
