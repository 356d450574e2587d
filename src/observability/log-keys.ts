/**
 * Log attribute names, defined once. Customer content (message text, phone numbers, emails) is
 * logged only under the CONTENT keys, which are redacted unless LOG_CUSTOMER_CONTENT=true.
 */
export const logKeys = {
  conversationId: "conversationId",
  callSid: "callSid",
  sessionId: "sessionId",
  turnId: "turnId",
  channel: "channel",
  toolName: "toolName",
  errorCode: "errorCode",
  frameType: "frameType",
  provider: "provider",
  count: "count",
} as const;

/** Keys whose values are customer content. */
export const contentKeys = [
  "text",
  "body",
  "voicePrompt",
  "utterance",
  "from",
  "to",
  "phone",
  "email",
  "digits",
];

/** Keys whose values are secrets; always redacted. */
export const secretKeys = [
  "authToken",
  "apiKey",
  "token",
  "password",
  "secret",
  "adminToken",
  "metricsToken",
  "authorization",
  "x-twilio-signature",
  "cookie",
];
