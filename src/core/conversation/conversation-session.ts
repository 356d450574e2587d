import { randomUUID } from "node:crypto";
import type { LanguageModelV3Message } from "@ai-sdk/provider";
import type { SwitchboardError } from "../../errors/switchboard-error.js";
import type { ChannelName } from "../../ports/channel.js";
import type { Conversation, InputKind, NewMessage, StoredMessage } from "../../ports/conversation-store.js";
import type { ConversationAgent } from "../agent/conversation-agent.js";
import { runModelTurn, type TurnStep } from "../agent/run-model-turn.js";
import type { TurnEvent, TurnEventListener, TurnFinishReason } from "../agent/turn-event.js";
import {
  type ConversationSummaryState,
  summaryStateOf,
  unsummarizedSize,
  unsummarizedSizeOf,
} from "./compact-history.js";
import { distributeHeardText } from "./distribute-heard-text.js";
import { historyToPrompt, messageToPrompt, trimToValidStart } from "./history-to-prompt.js";

export interface TurnInput {
  text: string;
  inputKind?: InputKind;
  metadata?: Record<string, unknown>;
}

export interface RunTurnOptions {
  abortSignal?: AbortSignal;
  onEvent?: TurnEventListener;
  /**
   * The user message was already stored (an SMS or email is stored before its webhook is answered);
   * the turn answers it instead of appending `input` again.
   */
  storedUserMessage?: StoredMessage;
}

export interface TurnOutcome {
  turnId: string;
  /** All text the model produced in this turn, across tool steps (what was streamed out). */
  text: string;
  aborted: boolean;
  finishReason: TurnFinishReason;
  error: SwitchboardError | undefined;
  userMessage: StoredMessage;
  assistantMessages: StoredMessage[];
}

/**
 * One channel's live view of a conversation (a call, a chat socket). Holds the recent history in
 * memory so a turn costs no store read, runs turns one at a time, and persists what each turn
 * produced — for an interrupted voice reply, only what the caller heard.
 */
export class ConversationSession {
  readonly conversation: Conversation;
  readonly channel: ChannelName;
  private readonly agent: ConversationAgent;
  private history: StoredMessage[];
  private prompt: LanguageModelV3Message[];
  private systemMessage: LanguageModelV3Message;
  private summary: ConversationSummaryState;
  /**
   * `unsummarizedSize` of `history`, kept as messages come and go: the check after each turn then
   * touches no message (a call holds up to twice `historyLimit` of them).
   */
  private unsummarizedChars: number;
  /** Turns, interruptions and appends run one after another, in arrival order. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Work started or waiting in `tail` that has not settled yet. */
  private unsettled = 0;
  /** True while work started at once runs its synchronous part (before `tail` covers it). */
  private starting = false;
  private pendingTurns = 0;
  private lastTurnAssistantMessages: StoredMessage[] = [];

  constructor(
    agent: ConversationAgent,
    conversation: Conversation,
    channel: ChannelName,
    history: StoredMessage[],
    summary: ConversationSummaryState = { summary: null, summaryThroughSequence: 0 },
  ) {
    this.agent = agent;
    this.conversation = conversation;
    this.channel = channel;
    this.history = trimToValidStart(history);
    this.prompt = historyToPrompt(this.history, channel);
    this.summary = summary;
    this.unsummarizedChars = unsummarizedSize(this.history, summary.summaryThroughSequence);
    this.systemMessage = this.buildSystemMessage();
  }

  private buildSystemMessage(): LanguageModelV3Message {
    const base = this.agent.systemPrompts[this.channel];
    const summary = this.summary.summary;
    return {
      role: "system",
      content: summary ? `${base}\n\nEarlier in this conversation (summary):\n${summary}` : base,
    };
  }

  /** After a turn: compact in the background when the history is over budget, then use the summary. */
  private compactIfNeeded(): void {
    if (this.unsummarizedChars <= this.agent.historyBudgetChars) return;
    this.agent
      .compact(this.conversation.id)
      .then((state) => {
        if (!state) return;
        return this.enqueue(async () => {
          this.summary = state;
          this.systemMessage = this.buildSystemMessage();
          this.replaceHistory(
            this.history.filter((message) => message.sequence > state.summaryThroughSequence),
          );
        });
      })
      .catch(() => undefined);
  }

  get conversationId(): string {
    return this.conversation.id;
  }

  /** The messages this session holds, oldest first (a copy). */
  messages(): StoredMessage[] {
    return [...this.history];
  }

  /** How many messages the session holds (its memory footprint, for caches). */
  get size(): number {
    return this.history.length;
  }

  /**
   * True when nothing is running and the only message stored after this session's last one is
   * `userMessage` (`recent`: the conversation's newest messages, oldest first).
   */
  continuesWith(recent: readonly StoredMessage[], userMessage: StoredMessage): boolean {
    if (this.busy) return false;
    const last = this.history.at(-1);
    const index = last ? recent.findIndex((message) => message.id === last.id) : -1;
    if (index < 0) return false;
    const after = recent.slice(index + 1);
    return after.length === 1 && after[0]?.id === userMessage.id;
  }

  /** True when the stored conversation has the customer and summary this session works with. */
  agreesWith(conversation: Conversation): boolean {
    const stored = summaryStateOf(conversation.metadata);
    return (
      conversation.id === this.conversation.id &&
      conversation.customerId === this.conversation.customerId &&
      stored.summary === this.summary.summary &&
      stored.summaryThroughSequence === this.summary.summaryThroughSequence
    );
  }

  /** True while a turn is queued or generating. */
  get busy(): boolean {
    return this.pendingTurns > 0;
  }

  /** Runs one turn; a turn started while another runs waits for it (abort the first to pre-empt). */
  runTurn(input: TurnInput, options: RunTurnOptions = {}): Promise<TurnOutcome> {
    this.pendingTurns++;
    return this.enqueue(() => this.executeTurn(input, options)).finally(() => {
      this.pendingTurns--;
    });
  }

  /**
   * Runs `work` after everything queued before it. With nothing queued it starts at once, in the
   * caller's task: a voice turn's first token then leaves before the WebSocket read that carried
   * the prompt has unwound, instead of a microtask hop later. Work queued from inside that
   * synchronous start (an event listener) is queued a microtask later, behind it.
   */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    if (this.starting) return Promise.resolve().then(() => this.enqueue(work));
    let run: Promise<T>;
    if (this.unsettled === 0) {
      this.starting = true;
      try {
        run = startNow(work);
      } finally {
        this.starting = false;
      }
    } else {
      run = this.tail.then(work, work);
    }
    this.unsettled++;
    const agent = this.agent;
    agent.workStarted();
    // Something now waits for the work in flight: its appends held back for a batch run now.
    if (this.unsettled > 1) agent.store.runPendingWrites?.();
    const settled = () => {
      this.unsettled--;
      agent.workSettled();
    };
    // The next work waits for this one to settle (and never for its error).
    this.tail = run.then(settled, settled);
    return run;
  }

  /** Stores an assistant message that did not come from the model (e.g. the spoken welcome greeting). */
  appendAssistantText(text: string, metadata: Record<string, unknown> = {}): Promise<StoredMessage> {
    return this.enqueue(async () => {
      const message = await this.agent.store.appendMessage({
        conversationId: this.conversation.id,
        role: "assistant",
        channel: this.channel,
        text,
        metadata,
      });
      this.remember(message);
      this.lastTurnAssistantMessages = [message];
      return message;
    });
  }

  /**
   * The caller cut the last reply off: keeps in history only what they heard and marks the reply
   * as interrupted. Runs after the turn in flight (which the caller aborts first) has settled and
   * before any turn started later.
   */
  recordInterruption(heardText: string): Promise<void> {
    return this.enqueue(() => this.trimLastReply(heardText));
  }

  private async trimLastReply(heardText: string): Promise<void> {
    const targets = this.lastTurnAssistantMessages;
    if (targets.length === 0) return;
    const heard = distributeHeardText(
      targets.map((message) => message.text),
      heardText,
    );
    let changed = false;
    for (const [index, message] of targets.entries()) {
      if (!heard.cut[index]) continue;
      const updated = await this.agent.store.updateMessage(message.id, {
        text: heard.texts[index] ?? "",
        interrupted: true,
      });
      this.replace(updated);
      changed = true;
    }
    if (changed) this.prompt = historyToPrompt(this.history, this.channel);
  }

  private async executeTurn(input: TurnInput, options: RunTurnOptions): Promise<TurnOutcome> {
    const agent = this.agent;
    const turnId = newTurnId();
    const conversationId = this.conversation.id;
    const channel = this.channel;
    const onEvent = options.onEvent;
    const customerId = this.conversation.customerId;
    // Observers get text deltas only when one asked for them (metrics read the turn-end timings).
    const notifyTextDeltas = agent.observesTextDeltas;
    const emit: TurnEventListener = !agent.hasObservers
      ? (onEvent ?? noop)
      : (event: TurnEvent) => {
          onEvent?.(event);
          if (notifyTextDeltas || event.type !== "text-delta")
            agent.notify({ conversationId, customerId, channel, event });
        };
    const startedAt = performance.now();

    emit({ type: "turn-start", turnId, conversationId, channel });
    // The user message is written once the model has been called (at the end of this event-loop
    // turn): an embedded store writes synchronously, and nothing should stand before the first token.
    const stored = options.storedUserMessage;
    // Set once somebody needs this turn stored soon (a tool about to run waits for the user
    // message; a channel acts on a failed or tool-using turn once it settles): no batch then, and
    // what was held back runs now.
    let storeAtOnce = false;
    const storeNow = () => {
      storeAtOnce = true;
      agent.store.runPendingWrites?.();
    };
    const batch = () => !storeAtOnce && this.mayBatchAppends();
    // The store's own promise for the user message's append, once it has been made: the reply's
    // appends are made `after` it.
    let userAppend: Promise<StoredMessage> | undefined = stored ? Promise.resolve(stored) : undefined;
    const userAppendMade = userAppend
      ? Promise.resolve()
      : afterThisEventLoopTurn().then(() => {
          userAppend = agent.store.appendMessage(
            {
              conversationId,
              role: "user",
              channel,
              text: input.text,
              inputKind: input.inputKind ?? null,
              metadata: input.metadata ?? {},
            },
            { batch: batch() },
          );
          // Awaited below; observed now too, so a failed write cannot surface as an unhandled
          // rejection while the model call is still running.
          userAppend.catch(noop);
        });
    const userWrite = userAppendMade.then(() => userAppend as Promise<StoredMessage>);
    userWrite.catch(noop);
    const alreadyInHistory = stored !== undefined && this.history.some((message) => message.id === stored.id);
    const userPromptMessage = alreadyInHistory
      ? undefined
      : messageToPrompt(
          stored ?? {
            id: "",
            conversationId,
            sequence: 0,
            role: "user",
            channel,
            text: input.text,
            inputKind: input.inputKind ?? null,
            interrupted: false,
            toolCalls: [],
            toolResults: [],
            createdAt: 0,
            metadata: {},
          },
          channel,
        );
    const prompt = userPromptMessage
      ? [this.systemMessage, ...this.prompt, userPromptMessage]
      : [this.systemMessage, ...this.promptEndingWith(stored)];
    const result = await runModelTurn({
      model: agent.model,
      turnId,
      prompt,
      tools: agent.toolSet.declarationsFor(channel),
      toolSet: agent.toolSet,
      toolContext: {
        conversationId,
        customerId: this.conversation.customerId,
        channel,
        replyTo: replyToOf(stored ?? input),
      },
      maxSteps: agent.maxSteps,
      maxOutputTokens: agent.maxOutputTokens,
      temperature: agent.temperature,
      abortSignal: options.abortSignal ?? neverAborted,
      emit,
      beforeTools: () => {
        storeNow();
        return userWrite;
      },
    });

    // The reply is complete for the caller now (a voice channel sends last:true); the transcript is
    // written after, still inside this turn, so the next turn of the session sees it.
    const text = result.steps.map((step) => step.text).join("");
    emit({
      type: "turn-end",
      turnId,
      text,
      finishReason: result.finishReason,
      aborted: result.aborted,
      usage: { inputTokens: result.inputTokens, outputTokens: result.outputTokens },
      firstTextMs: result.firstTextAt === undefined ? undefined : result.firstTextAt - startedAt,
      durationMs: performance.now() - startedAt,
    });
    // A failed turn (the channel apologises) or one that ran tools (a call may end) settles soon.
    if (result.error || result.steps.some((step) => step.toolCalls.length > 0)) storeNow();
    // Each reply message is appended after the one before it (the first after the user message):
    // in the store's batch, right behind it, instead of in the next batch once it has run.
    if (!userAppend) await userAppendMade;
    let previous = userAppend as Promise<StoredMessage>;
    const appends = stepsToMessages(result.steps, conversationId, channel, turnId, result.aborted).map(
      (draft) => {
        previous = agent.store.appendMessage(draft, { batch: batch(), after: previous });
        previous.catch(noop);
        return previous;
      },
    );
    const userMessage = await userWrite;
    if (!alreadyInHistory) this.remember(userMessage);
    const assistantMessages: StoredMessage[] = [];
    for (const append of appends) {
      const message = await append;
      this.remember(message);
      assistantMessages.push(message);
    }
    this.lastTurnAssistantMessages = assistantMessages.filter((message) => message.role === "assistant");
    this.compactIfNeeded();
    return {
      turnId,
      text,
      aborted: result.aborted,
      finishReason: result.finishReason,
      error: result.error,
      userMessage,
      assistantMessages,
    };
  }

  /**
   * A call's transcript appends may wait for the store's batch (`AppendOptions.batch`) while
   * nothing waits for this session and the agent is not shutting down; the store still runs them
   * before anyone reads it.
   */
  private mayBatchAppends(): boolean {
    return this.channel === "voice" && this.unsettled <= 1 && !this.agent.closing;
  }

  /** The highest sequence of a customer message this session has seen (-1 when none). */
  get lastUserSequence(): number {
    return this.lastUserMessage?.sequence ?? -1;
  }

  /** The customer message with the highest sequence in this session's history. */
  get lastUserMessage(): StoredMessage | undefined {
    let last: StoredMessage | undefined;
    for (const message of this.history) {
      if (message.role === "user" && (!last || message.sequence > last.sequence)) last = message;
    }
    return last;
  }

  /** Whether the message is in this session's history (the recent window of the conversation). */
  holds(messageId: string): boolean {
    return this.history.some((message) => message.id === messageId);
  }

  /**
   * The history as a prompt that ends with the customer's messages still to answer. A reply to an
   * earlier message can be stored after later ones arrived (a burst of SMS): the stored order
   * [A, B, rA] becomes [A, rA, B] for the turn that answers B, so the model sees what it already
   * said and then what it has not answered yet, never its own reply last.
   */
  private promptEndingWith(stored: StoredMessage | undefined): LanguageModelV3Message[] {
    const index = stored ? this.history.findIndex((message) => message.id === stored.id) : -1;
    const tail = index >= 0 ? this.history.slice(index) : [];
    if (tail.every((message) => message.role === "user")) return this.prompt;
    const reordered = [
      ...this.history.slice(0, index),
      ...tail.filter((message) => message.role !== "user"),
      ...tail.filter((message) => message.role === "user"),
    ];
    return historyToPrompt(reordered, this.channel);
  }

  private remember(message: StoredMessage): void {
    this.history.push(message);
    this.unsummarizedChars += unsummarizedSizeOf(message, this.summary.summaryThroughSequence);
    const converted = messageToPrompt(message, this.channel);
    if (converted) this.prompt.push(converted);
    const limit = this.agent.historyLimit;
    if (this.history.length > limit * 2) this.replaceHistory(this.history.slice(-limit));
  }

  /** Holds `messages` (trimmed to a valid start) instead, with their prompt form and unsummarized size. */
  private replaceHistory(messages: StoredMessage[]): void {
    this.history = trimToValidStart(messages);
    this.unsummarizedChars = unsummarizedSize(this.history, this.summary.summaryThroughSequence);
    this.prompt = historyToPrompt(this.history, this.channel);
  }

  private replace(updated: StoredMessage): void {
    const index = this.history.findIndex((message) => message.id === updated.id);
    const previous = index >= 0 ? this.history[index] : undefined;
    if (previous) {
      this.history[index] = updated;
      const through = this.summary.summaryThroughSequence;
      this.unsummarizedChars += unsummarizedSizeOf(updated, through) - unsummarizedSizeOf(previous, through);
    }
    const last = this.lastTurnAssistantMessages.findIndex((message) => message.id === updated.id);
    if (last >= 0) this.lastTurnAssistantMessages[last] = updated;
  }
}

/** Persistable messages for a turn's steps; an aborted step keeps only what was streamed. */
function stepsToMessages(
  steps: readonly TurnStep[],
  conversationId: string,
  channel: ChannelName,
  turnId: string,
  aborted: boolean,
): NewMessage[] {
  const drafts: NewMessage[] = [];
  for (const [index, step] of steps.entries()) {
    const isLast = index === steps.length - 1;
    // Tool calls whose results never arrived (aborted mid-tool) cannot be replayed to a model.
    const completedCalls = step.toolResults.length > 0 ? step.toolCalls : [];
    if (step.text.length > 0 || completedCalls.length > 0 || (isLast && aborted)) {
      drafts.push({
        conversationId,
        role: "assistant",
        channel,
        text: step.text,
        interrupted: isLast && aborted,
        toolCalls: completedCalls,
        metadata: { turnId },
      });
    }
    if (step.toolResults.length > 0) {
      drafts.push({
        conversationId,
        role: "tool",
        channel,
        text: "",
        toolResults: step.toolResults,
        metadata: { turnId },
      });
    }
  }
  return drafts;
}

function noop(): void {}

/**
 * `turn_` and 20 random hex digits: a UUID's first 8 and last 12 (the digits in between carry its
 * version and variant, which never change).
 */
export function newTurnId(): string {
  const random = randomUUID();
  return `turn_${random.slice(0, 8)}${random.slice(24)}`;
}

function startNow<T>(work: () => Promise<T>): Promise<T> {
  try {
    return work();
  } catch (error) {
    return Promise.reject(error);
  }
}

const neverAborted = new AbortController().signal;

function afterThisEventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The sender a message's channel answers (an SMS's or email's `from`), if it names one. */
function replyToOf(message: { metadata?: Record<string, unknown> }): string | undefined {
  const from = message.metadata?.from;
  return typeof from === "string" && from !== "" ? from : undefined;
}
