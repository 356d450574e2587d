import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import type {
  RelayClientMessage,
  RelayServerMessage,
  RelaySetupMessage,
  RelayTextMessage,
} from "./relay-protocol-types.js";
import { signTwilioRequest } from "./sign-twilio-request.js";

export type * from "./relay-protocol-types.js";

export interface RelayTestClientOptions {
  /** `ws://` or `wss://` URL to open. */
  url: string;
  /** The URL to sign (the public `wss://…` URL from the TwiML); defaults to `url`. */
  signedUrl?: string;
  /** When set, the upgrade carries `X-Twilio-Signature` over `signedUrl` with no parameters. */
  authToken?: string | undefined;
  headers?: Record<string, string>;
  /** Opening handshake limit; default 10 s. */
  handshakeTimeoutMs?: number;
}

export interface RelayReply {
  /** The `token` of every `text` frame of the reply, in order (including an empty closing token). */
  tokens: string[];
  /** The tokens joined. */
  text: string;
  /** Every frame received from the reply boundary up to and including the `last: true` frame. */
  messages: RelayServerMessage[];
}

export interface WaitOptions {
  /** Default 5000. */
  timeoutMs?: number;
}

export interface WaitForOptions extends WaitOptions {
  /** Named in the timeout error; defaults to the predicate's source. */
  description?: string;
  /** Index in `received` to search from; defaults to just after the previous `waitFor` match. */
  fromIndex?: number;
}

export interface RelayClose {
  code: number;
  reason: string;
}

type MessageListener = (message: RelayServerMessage) => void;

interface Waiter {
  /** Called on every new frame; true when the waiter is done. */
  check(): boolean;
  fail(error: Error): void;
}

const defaultTimeoutMs = 5000;

/** `VX`/`AC`/`CA` followed by 32 hex digits, the shape of a Twilio SID. */
export function randomSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

/**
 * A ConversationRelay client that behaves like Twilio: it opens the WebSocket (signed like Twilio
 * signs it), sends `setup`/`prompt`/`interrupt`/`dtmf` frames, and records every frame the app sends.
 * Used by tests, benchmarks and the terminal caller (`npm run call`).
 */
export class RelayTestClient {
  /** Every frame received, parsed; frames that are not JSON objects are kept as `__invalid`. */
  readonly received: RelayServerMessage[] = [];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<RelayClose>;
  /** The last `setup` frame sent. */
  setup: RelaySetupMessage | undefined;

  readonly #socket: WebSocket;
  readonly #listeners = new Set<MessageListener>();
  readonly #waiters = new Set<Waiter>();
  #closeInfo: RelayClose | undefined;
  /** Index in `received` where the next reply starts. */
  #replyStart = 0;
  /** After an interrupt, frames up to the next caller input still belong to the interrupted reply. */
  #discardUntilNextInput = false;
  #waitForCursor = 0;
  #replyPending = false;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on("message", (data, isBinary) => this.#receive(isBinary ? "<binary frame>" : data.toString()));
    // Errors are followed by `close`; listening keeps them from crashing the process.
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        this.#closeInfo = { code, reason: reason.toString() };
        for (const waiter of [...this.#waiters]) {
          waiter.fail(new Error(`connection closed (code ${code})`));
        }
        resolve(this.#closeInfo);
      });
    });
  }

  /** Opens the socket; rejects (with the HTTP status in the message, e.g. 403) if the upgrade fails. */
  static async connect(options: RelayTestClientOptions): Promise<RelayTestClient> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.authToken !== undefined) {
      headers["X-Twilio-Signature"] = signTwilioRequest(
        options.authToken,
        options.signedUrl ?? options.url,
        {},
      );
    }
    const socket = new WebSocket(options.url, {
      headers,
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    });
    const client = new RelayTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", (error) =>
        reject(
          new Error(`RelayTestClient: could not connect to ${options.url}: ${error.message}`, {
            cause: error,
          }),
        ),
      );
    });
    return client;
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** Sends a realistic `setup` frame (random SIDs unless given) and returns it. */
  sendSetup(overrides: Partial<RelaySetupMessage> = {}): RelaySetupMessage {
    const { type: _type, ...fields } = overrides;
    const setup: RelaySetupMessage = {
      type: "setup",
      sessionId: randomSid("VX"),
      accountSid: randomSid("AC"),
      parentCallSid: "",
      callSid: randomSid("CA"),
      from: "+14155550123",
      to: "+18885550100",
      forwardedFrom: "",
      callType: "PSTN",
      callerName: "",
      direction: "inbound",
      callStatus: "RINGING",
      customParameters: {},
      ...fields,
    };
    this.setup = setup;
    this.#send(setup);
    return setup;
  }

  /** Caller speech, as transcribed by Twilio. */
  sendPrompt(text: string, options: { last?: boolean; lang?: string } = {}): void {
    this.#noteCallerInput();
    this.#send({
      type: "prompt",
      voicePrompt: text,
      lang: options.lang ?? "en-US",
      last: options.last ?? true,
    });
  }

  /**
   * The caller cut the agent off. Ends the current reply on the client side: frames received until
   * the next prompt or key press are treated as the tail of the interrupted reply, not the next one.
   */
  sendInterrupt(utteranceUntilInterrupt: string, durationUntilInterruptMs = 1000): void {
    this.#replyStart = this.received.length;
    this.#discardUntilNextInput = true;
    this.#send({ type: "interrupt", utteranceUntilInterrupt, durationUntilInterruptMs });
  }

  sendDtmf(digit: string): void {
    this.#noteCallerInput();
    this.#send({ type: "dtmf", digit });
  }

  sendError(description: string): void {
    this.#send({ type: "error", description });
  }

  /** Sends any text frame as is (malformed frames, unknown types). */
  sendRaw(data: string): void {
    this.#assertOpen("a raw frame");
    this.#socket.send(data);
  }

  /** Calls `listener` for each frame received from now on; returns a function that unsubscribes. */
  onMessage(listener: MessageListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves with the next reply: the `text` frames from the previous reply boundary up to the next
   * `text` frame with `last: true` (frames already received count). The boundary then moves past it.
   */
  nextReply(options: WaitOptions = {}): Promise<RelayReply> {
    if (this.#replyPending) {
      return Promise.reject(new Error("RelayTestClient: nextReply() is already waiting; await it first"));
    }
    this.#replyPending = true;
    let scanIndex = this.#replyStart;
    const reply = this.#waitUntil("the next reply (a text frame with last: true)", options.timeoutMs, () => {
      for (; scanIndex < this.received.length; scanIndex++) {
        const message = this.received[scanIndex];
        if (message?.type === "text" && message.last === true) {
          const messages = this.received.slice(this.#replyStart, scanIndex + 1);
          const tokens = messages
            .filter((frame): frame is RelayTextMessage => frame.type === "text")
            .map((frame) => frame.token);
          this.#replyStart = scanIndex + 1;
          return { tokens, text: tokens.join(""), messages };
        }
      }
      return undefined;
    });
    return reply.finally(() => {
      this.#replyPending = false;
    });
  }

  /**
   * Resolves with the first frame at or after the cursor that matches (frames already received
   * count). The cursor starts at 0 and moves just past each match, so repeated calls see later frames.
   */
  waitFor<T extends RelayServerMessage>(
    predicate: (message: RelayServerMessage) => message is T,
    options?: WaitForOptions,
  ): Promise<T>;
  waitFor(
    predicate: (message: RelayServerMessage) => boolean,
    options?: WaitForOptions,
  ): Promise<RelayServerMessage>;
  waitFor(
    predicate: (message: RelayServerMessage) => boolean,
    options: WaitForOptions = {},
  ): Promise<RelayServerMessage> {
    let scanIndex = options.fromIndex ?? this.#waitForCursor;
    const description = options.description ?? `a frame matching ${predicate.toString()}`;
    return this.#waitUntil(description, options.timeoutMs, () => {
      for (; scanIndex < this.received.length; scanIndex++) {
        const message = this.received[scanIndex];
        if (message && predicate(message)) {
          this.#waitForCursor = scanIndex + 1;
          return message;
        }
      }
      return undefined;
    });
  }

  /** Closes the socket (like a caller hanging up) and resolves once it is closed. */
  async close(code = 1000): Promise<RelayClose> {
    if (this.#socket.readyState === WebSocket.CONNECTING || this.#socket.readyState === WebSocket.OPEN) {
      this.#socket.close(code);
    }
    return this.closed;
  }

  #send(message: RelayClientMessage): void {
    this.#assertOpen(`a ${message.type} frame`);
    this.#socket.send(JSON.stringify(message));
  }

  #assertOpen(what: string): void {
    if (!this.isOpen) throw new Error(`RelayTestClient: cannot send ${what}, the connection is not open`);
  }

  #noteCallerInput(): void {
    if (!this.#discardUntilNextInput) return;
    this.#discardUntilNextInput = false;
    this.#replyStart = this.received.length;
  }

  #receive(raw: string): void {
    const message = parseFrame(raw);
    this.received.push(message);
    for (const listener of this.#listeners) listener(message);
    for (const waiter of [...this.#waiters]) waiter.check();
  }

  #waitUntil<T>(description: string, timeoutMs = defaultTimeoutMs, find: () => T | undefined): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    if (this.#closeInfo) {
      return Promise.reject(
        new Error(
          `RelayTestClient: connection closed (code ${this.#closeInfo.code}) before ${description} arrived`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const startCount = this.received.length;
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter: Waiter = {
        check: () => {
          const result = find();
          if (result === undefined) return false;
          finish();
          resolve(result);
          return true;
        },
        fail: (error) => {
          finish();
          reject(new Error(`RelayTestClient: ${error.message} while waiting for ${description}`));
        },
      };
      const timer = setTimeout(() => {
        const last = this.received.at(-1);
        waiter.fail(
          new Error(
            `timed out after ${timeoutMs} ms (${this.received.length - startCount} frames arrived meanwhile, ` +
              `last frame: ${last === undefined ? "none" : JSON.stringify(last)})`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

function parseFrame(raw: string): RelayServerMessage {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      if (typeof (parsed as { type?: unknown }).type === "string") return parsed as RelayServerMessage;
    }
  } catch {
    // not JSON: recorded below
  }
  return { type: "__invalid", raw };
}
