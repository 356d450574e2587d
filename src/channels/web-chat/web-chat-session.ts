import type { WebSocket } from "ws";
import type { ConversationAgent } from "../../core/agent/conversation-agent.js";
import type { TurnEvent } from "../../core/agent/turn-event.js";
import type { ConversationSession } from "../../core/conversation/conversation-session.js";
import { NotFoundError } from "../../errors/not-found-error.js";
import { logKeys } from "../../observability/log-keys.js";
import type { Logger } from "../../observability/logger.js";
import type { ConversationResolver } from "../../ports/conversation-resolver.js";
import {
  encodeWebChatFrame,
  parseWebChatFrame,
  toHistoryLines,
  type WebChatMessage,
  type WebChatOutbound,
} from "./web-chat-frames.js";

export interface WebChatSessionDependencies {
  agent: ConversationAgent;
  resolver: ConversationResolver;
  /** Shown to the visitor in `ready` (the offline model says it is a deterministic stand-in). */
  modelDescription: string;
  logger: Logger;
  /**
   * Takes one message from the visitor's address's allowance: undefined when it may be answered,
   * else the milliseconds until the next one may (see WebChatLimits). Absent: no limit.
   */
  takeMessage?: () => number | undefined;
}

/** How many earlier lines `ready` carries. */
const historyLines = 20;
/** Messages that may wait behind the reply in flight; more are refused with an `error` frame. */
const maxWaitingMessages = 3;

/** Close code of a socket whose conversation was erased (an application code: 4000–4999). */
export const erasedCloseCode = 4404;
const erasedText = "This conversation was erased. Reconnecting starts a new one.";

export const webApologyText = "Sorry, I'm having trouble answering right now. Please try again in a moment.";

interface WebTurn {
  controller: AbortController;
  turnId: string | undefined;
  replyTo: string | undefined;
}

/**
 * One web chat socket: resolves the visitor to their conversation (the same timeline as their
 * calls, texts and emails once they verify an address), sends `ready` with recent history, then
 * answers each `message` with a streamed turn. Turns run one after another; `cancel` stops the one
 * in flight and keeps what was sent. Bad frames get an `error` frame and are dropped.
 */
export class WebChatSession {
  private state: "opening" | "open" | "closed" = "opening";
  private session: ConversationSession | undefined;
  private readonly ready: Promise<void>;
  /** The turn in flight first, then those waiting for it. */
  private readonly turns: WebTurn[] = [];
  private logger: Logger;

  constructor(
    private readonly socket: WebSocket,
    private readonly visitorId: string,
    private readonly dependencies: WebChatSessionDependencies,
  ) {
    this.logger = dependencies.logger;
    socket.on("message", (data, isBinary) => this.receive(data.toString(), isBinary));
    socket.on("close", () => this.close());
    socket.on("error", (error) => this.logger.warn({ err: error }, "web chat: socket error"));
    this.ready = this.open().then(
      () => {
        if (this.state === "opening") this.state = "open";
      },
      (error: unknown) => {
        this.logger.error({ err: error }, "web chat: could not open the conversation; closing");
        this.send({ type: "error", message: "The chat could not start. Please reconnect." });
        this.state = "closed";
        socket.close(1011, "setup failed");
      },
    );
  }

  private async open(): Promise<void> {
    const { agent, resolver } = this.dependencies;
    const { conversation } = await resolver.resolveConversation("web", this.visitorId, "web");
    this.logger = this.logger.child({ [logKeys.conversationId]: conversation.id, [logKeys.channel]: "web" });
    const session = await agent.openSession(conversation.id, "web");
    if (this.state === "closed") return;
    this.session = session;
    this.send({
      type: "ready",
      visitorId: this.visitorId,
      conversationId: conversation.id,
      model: this.dependencies.modelDescription,
      history: toHistoryLines(session.messages()).slice(-historyLines),
    });
    this.logger.info("web chat: visitor connected");
  }

  private send(frame: WebChatOutbound): void {
    if (this.socket.readyState === 1) this.socket.send(encodeWebChatFrame(frame));
  }

  private receive(data: string, isBinary: boolean): void {
    if (isBinary) {
      this.logger.warn("web chat: dropped a binary frame");
      this.send({ type: "error", message: "Send JSON text frames." });
      return;
    }
    const parsed = parseWebChatFrame(data);
    if (!parsed.ok) {
      this.logger.warn(`web chat: dropped frame: ${parsed.reason}`);
      this.send({ type: "error", message: parsed.reason });
      return;
    }
    const frame = parsed.frame;
    if (frame.type === "ping") {
      this.send({ type: "pong" });
      return;
    }
    const handle = () => {
      if (this.state !== "open") return;
      if (frame.type === "cancel") this.turns[0]?.controller.abort();
      else this.startTurn(frame);
    };
    if (this.state === "opening") this.ready.then(handle, () => undefined);
    else handle();
  }

  private startTurn(message: WebChatMessage): void {
    const session = this.session;
    if (!session) return;
    if (this.turns.length > maxWaitingMessages) {
      this.send({
        type: "error",
        message: "Too many messages waiting; wait for the reply before sending more.",
      });
      return;
    }
    const retryAfterMs = this.dependencies.takeMessage?.();
    if (retryAfterMs !== undefined) {
      this.logger.warn({ retryAfterMs }, "web chat: message refused, over the address's allowance");
      this.send({
        type: "error",
        code: "RATE_LIMITED",
        retryAfterMs,
        message: `Too many messages from this address; try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
      });
      return;
    }
    const turn: WebTurn = { controller: new AbortController(), turnId: undefined, replyTo: message.id };
    this.turns.push(turn);
    const onEvent = (event: TurnEvent) => this.render(turn, event);
    session.runTurn({ text: message.text }, { abortSignal: turn.controller.signal, onEvent }).then(
      (outcome) => {
        if (outcome.error && !outcome.aborted) {
          this.logger.error(
            { [logKeys.turnId]: outcome.turnId, [logKeys.errorCode]: outcome.error.code, err: outcome.error },
            "web chat: turn failed",
          );
          if (outcome.text.length === 0)
            session
              .appendAssistantText(webApologyText, { kind: "error-apology", errorCode: outcome.error.code })
              .catch(() => undefined);
        }
        this.finish(turn);
      },
      (error: unknown) => {
        this.finish(turn);
        if (error instanceof NotFoundError) {
          // Erased meanwhile (a privacy request, retention): this socket's conversation is gone, and a
          // reconnect starts a new one.
          this.logger.info("web chat: the conversation was erased; closing");
          this.send({ type: "error", message: erasedText });
          this.socket.close(erasedCloseCode, "conversation erased");
          return;
        }
        this.logger.error({ err: error }, "web chat: turn crashed");
        if (turn.turnId) this.send({ type: "error", turnId: turn.turnId, message: webApologyText });
      },
    );
  }

  private finish(turn: WebTurn): void {
    const index = this.turns.indexOf(turn);
    if (index >= 0) this.turns.splice(index, 1);
  }

  private render(turn: WebTurn, event: TurnEvent): void {
    switch (event.type) {
      case "turn-start":
        turn.turnId = event.turnId;
        this.send({
          type: "turn-start",
          turnId: event.turnId,
          ...(turn.replyTo === undefined ? {} : { replyTo: turn.replyTo }),
        });
        break;
      case "text-delta":
        if (!turn.controller.signal.aborted)
          this.send({ type: "text", turnId: event.turnId, delta: event.delta });
        break;
      case "tool-call":
        this.send({ type: "tool", turnId: event.turnId, name: event.toolName });
        break;
      case "turn-end": {
        const failed = event.finishReason === "error" && event.text.length === 0 && !event.aborted;
        if (failed) this.send({ type: "text", turnId: event.turnId, delta: webApologyText });
        this.send({
          type: "turn-end",
          turnId: event.turnId,
          text: failed ? webApologyText : event.text,
          finishReason: event.finishReason,
          aborted: event.aborted,
        });
        break;
      }
      default:
        break;
    }
  }

  /** The socket closed: stop generating (what was sent is kept). */
  private close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    for (const turn of this.turns) turn.controller.abort();
    this.logger.info("web chat: visitor disconnected");
  }
}
