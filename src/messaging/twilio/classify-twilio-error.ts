import { DeliveryError, isNetworkError, parseRetryAfter } from "../../errors/delivery-error.js";

/** Twilio error codes that will fail the same way on every retry. */
const permanentCodes: Record<number, string> = {
  20003: "authentication failed (check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)",
  21211: "invalid 'To' phone number",
  21408: "sending to this region is not enabled",
  21610: "the recipient has opted out (replied STOP)",
  21612: "cannot route to this number",
  21614: "'To' is not a mobile number",
  21606: "'From' number is not SMS-capable or not owned",
  21659: "'From' number is not valid for this account",
};

/** Classifies a Twilio REST answer (status, JSON body, headers) or a network failure. */
export function classifyTwilioFailure(input: {
  statusCode?: number;
  body?: unknown;
  retryAfter?: string | null;
  error?: unknown;
}): DeliveryError {
  if (input.statusCode === undefined) {
    const network = isNetworkError(input.error);
    const message = input.error instanceof Error ? input.error.message : String(input.error);
    return new DeliveryError("twilio", `Twilio request failed: ${message}`, {
      retryable: network,
      cause: input.error,
    });
  }
  const body = (typeof input.body === "string" ? safeJson(input.body) : input.body) as
    | { code?: number; message?: string }
    | undefined;
  const code = body?.code;
  const status = input.statusCode;
  const retryable = status === 429 || status >= 500 || code === 20429;
  const reason =
    code !== undefined && permanentCodes[code] ? permanentCodes[code] : (body?.message ?? `HTTP ${status}`);
  return new DeliveryError(
    "twilio",
    `Twilio rejected the request (HTTP ${status}${code ? `, error ${code}` : ""}): ${reason}`,
    {
      retryable,
      providerCode: code === undefined ? String(status) : String(code),
      retryAfterMs: parseRetryAfter(input.retryAfter),
    },
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
