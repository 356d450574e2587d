import { getEventListeners } from "node:events";
import type { WebSocket } from "ws";
import type { VoiceConfig } from "../../config/config.js";
import type { ConversationAgent } from "../../core/agent/conversation-agent.js";
import type { ConversationSession } from "../../core/conversation/conversation-session.js";
import { logKeys } from "../../observability/log-keys.js";
import type { Logger } from "../../observability/logger.js";
import type { ConversationResolver } from "../../ports/conversation-resolver.js";
import { DtmfBuffer } from "./dtmf-buffer.js";
import { parseRelayFrame } from "./relay-inbound-messages.js";
import { onDtmf } from "./steps/on-dtmf.js";
import { onInterrupt } from "./steps/on-interrupt.js";
import { onPrompt } from "./steps/on-prompt.js";
import { onSetup } from "./steps/on-setup.js";
import { type ActiveReply, abortReply, startReply } from "./steps/stream-reply.js";

export interface RelaySessionDependencies {
  agent: ConversationAgent;
  resolver: ConversationResolver;
  voice: VoiceConfig;
  logger: Logger;
  /**
   * With Twilio signatures on: the caller of a `setup` is the one `POST /twilio/voice` (signed)
   * recorded; a call it never announced is answered without a caller, and a second setup for a
   * connected call (not a reconnect) is refused. The upgrade's signature covers only the URL, the
   * same for every call, so it cannot tell a replayed upgrade from Twilio's.
   */
  requireKnownCall?: boolean;
}

export type RelayState = "awaiting-setup" | "setting-up" | "active" | "closed";

/**
 * One ConversationRelay WebSocket: a small state machine whose steps live in `steps/`
 * (setup → prompts/interrupts/dtmf → close). Bad frames are logged and dropped; the call goes on.
 */
export class RelaySession {
  state: RelayState = "awaiting-setup";
  logger: Logger;
  conversation: ConversationSession | undefined;
  callSid: string | undefined;
  /** The reply being streamed, if any. */
  reply: ActiveReply | undefined;
  /** Resolves when setup has been processed (frames that arrive meanwhile wait for it). */
  ready: Promise<void> | undefined;
  readonly dtmf: DtmfBuffer;

  constructor(
    readonly socket: WebSocket,
    readonly dependencies: RelaySessionDependencies,
  ) {
    this.logger = dependencies.logger;
    this.dtmf = new DtmfBuffer({
      idleTimeoutMs: dependencies.voice.dtmfIdleTimeoutMs,
      maxDigits: dependencies.voice.dtmfMaxDigits,
      onFlush: (digits) => startReply(this, { text: digits, inputKind: "dtmf" }),
    });
    socket.on("message", (data, isBinary) => this.receive(data.toString(), isBinary));
    socket.on("close", () => this.close());
    socket.on("error", (error) => this.logger.warn({ err: error }, "relay socket error"));
  }

  /**
   * The abort controller for the next reply. Node builds a signal lazily, and building one costs
   * more than anything else between a prompt and its first token; so it is built after setup and
   * after each reply, while the caller listens, instead of when the next prompt arrives.
   */
  private spareController: AbortController | undefined;

  takeAbortController(): AbortController {
    const controller = this.spareController ?? new AbortController();
    this.spareController = undefined;
    return controller;
  }

  /**
   * Readies the next reply's controller. A reply that ended without being aborted hands its own
   * over (`finished`), reused when no abort listener is left on it: Node 20 keeps every
   * `AbortSignal` it builds alive through the next minor GC (it changes the signal's prototype,
   * then adds properties), so a call reuses one while its replies end normally. Otherwise a fresh
   * one (and its signal) is built after this event-loop turn.
   */
  prepareAbortController(finished?: AbortController): void {
    if (this.spareController || this.state === "closed") return;
    if (finished && getEventListeners(finished.signal, "abort").length === 0) {
      this.spareController = finished;
      return;
    }
    setImmediate(() => {
      if (this.spareController || this.state === "closed") return;
      const controller = new AbortController();
      void controller.signal;
      this.spareController = controller;
    });
  }

  /** Sends one frame if the socket is still open. */
  send(frame: string): void {
    if (this.socket.readyState === 1) this.socket.send(frame);
  }

  private receive(data: string, isBinary: boolean): void {
    if (isBinary) {
      this.logger.warn("relay: dropped a binary frame (ConversationRelay sends text frames)");
      return;
    }
    const parsed = parseRelayFrame(data);
    if (!parsed.ok) {
      this.logger.warn({ [logKeys.frameType]: parsed.frameType }, `relay: dropped frame: ${parsed.reason}`);
      return;
    }
    const message = parsed.message;
    if (message.type === "setup") {
      onSetup(this, message);
      return;
    }
    if (this.state === "awaiting-setup") {
      this.logger.warn({ [logKeys.frameType]: message.type }, "relay: dropped frame received before setup");
      return;
    }
    if (this.state === "closed") return;
    const handle = () => {
      if (this.state !== "active") return;
      switch (message.type) {
        case "prompt":
          onPrompt(this, message);
          break;
        case "interrupt":
          onInterrupt(this, message);
          break;
        case "dtmf":
          onDtmf(this, message);
          break;
        case "error":
          this.logger.warn({ description: message.description }, "relay: Twilio reported an error");
          break;
        case "info":
          this.logger.debug({ name: message.name }, "relay: info");
          break;
      }
    };
    if (this.state === "setting-up" && this.ready) this.ready.then(handle, () => undefined);
    else handle();
  }

  /** The socket closed (caller hung up, or Twilio ended the session): stop generating. */
  close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.dtmf.clear();
    abortReply(this);
    this.logger.info("relay: session closed");
  }
}
