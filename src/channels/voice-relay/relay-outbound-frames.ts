/**
 * Frames we send to ConversationRelay. Text tokens are the hot path: the frame is assembled as a
 * string around the JSON-encoded token instead of stringifying an object per token.
 */
export function textFrame(token: string, last: boolean): string {
  return `{"type":"text","token":${JSON.stringify(token)},"last":${last}}`;
}

export function sendDigitsFrame(digits: string): string {
  return JSON.stringify({ type: "sendDigits", digits });
}

export function playFrame(source: string, loop = 1): string {
  return JSON.stringify({ type: "play", source, loop });
}

export function languageFrame(language: string): string {
  return JSON.stringify({ type: "language", ttsLanguage: language, transcriptionLanguage: language });
}

/** `handoffData` must be a string (Twilio passes it verbatim to the `<Connect action>` callback). */
export function endFrame(handoffData?: string): string {
  return JSON.stringify(handoffData === undefined ? { type: "end" } : { type: "end", handoffData });
}
