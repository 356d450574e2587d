/**
 * ConversationRelay WebSocket messages as plain types, for the client side (tests, benchmarks, the
 * terminal caller). The server validates the same frames with its own Zod schemas in
 * `src/channels/voice-relay/`. See `reference/wire-formats.md` section 2.
 */

// ── Twilio → app ─────────────────────────────────────────────────────────────────────────────

export interface RelaySetupMessage {
  type: "setup";
  /** `VX…`, the same as `SessionId` on the `<Connect action>` callback. */
  sessionId: string;
  /** `AC…` */
  accountSid: string;
  /** `CA…` */
  callSid: string;
  parentCallSid: string;
  from: string;
  to: string;
  forwardedFrom: string;
  callerName: string;
  direction: "inbound" | "outbound";
  callType: "PSTN" | "SIP" | "CLIENT" | "PUBLIC_SIP";
  /** Upper case, e.g. `RINGING`, `IN_PROGRESS`. */
  callStatus: string;
  applicationSid?: string;
  /** From the TwiML `<Parameter name value>` children. */
  customParameters: Record<string, string>;
}

export interface RelayPromptMessage {
  type: "prompt";
  voicePrompt: string;
  lang: string;
  /** False only for partial transcripts. */
  last: boolean;
}

export interface RelayDtmfMessage {
  type: "dtmf";
  digit: string;
}

export interface RelayInterruptMessage {
  type: "interrupt";
  /** What the caller heard before cutting the agent off. */
  utteranceUntilInterrupt: string;
  durationUntilInterruptMs: number;
}

export interface RelayErrorMessage {
  type: "error";
  description: string;
}

export interface RelayInfoMessage {
  type: "info";
  name: string;
  value: string;
}

/** What Twilio (here: the test client) sends to the app. */
export type RelayClientMessage =
  | RelaySetupMessage
  | RelayPromptMessage
  | RelayDtmfMessage
  | RelayInterruptMessage
  | RelayErrorMessage
  | RelayInfoMessage;

// ── app → Twilio ─────────────────────────────────────────────────────────────────────────────

export interface RelayTextMessage {
  type: "text";
  token: string;
  /** True on the final token of a reply; absent means false. */
  last?: boolean;
  lang?: string;
  interruptible?: boolean;
  preemptible?: boolean;
}

export interface RelayPlayMessage {
  type: "play";
  source: string;
  loop?: number;
  preemptible?: boolean;
  interruptible?: boolean;
}

export interface RelaySendDigitsMessage {
  type: "sendDigits";
  digits: string;
}

export interface RelayLanguageMessage {
  type: "language";
  ttsLanguage?: string;
  transcriptionLanguage?: string;
}

export interface RelayEndMessage {
  type: "end";
  /** A string (usually JSON) handed to the `<Connect action>` callback as `HandoffData`. */
  handoffData?: string;
}

/** A received frame that was not a JSON object with a string `type` (kept for assertions). */
export interface RelayInvalidFrame {
  type: "__invalid";
  raw: string;
}

/**
 * What the app sends to Twilio, as recorded by the test client. Frames with an unknown `type` are
 * recorded as they arrived, so code switching over `type` needs a default branch.
 */
export type RelayServerMessage =
  | RelayTextMessage
  | RelayPlayMessage
  | RelaySendDigitsMessage
  | RelayLanguageMessage
  | RelayEndMessage
  | RelayInvalidFrame;
