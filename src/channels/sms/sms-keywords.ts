export type SmsKeyword = "stop" | "start" | "help";

const stopWords = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]);
const startWords = new Set(["START", "UNSTOP", "YES"]);
const helpWords = new Set(["HELP", "INFO"]);

/** The opt-out keywords carriers and Twilio honour: the whole message, any case, trimmed. */
export function smsKeyword(body: string): SmsKeyword | null {
  const word = body
    .trim()
    .replace(/[.!]+$/, "")
    .toUpperCase();
  if (stopWords.has(word)) return "stop";
  if (startWords.has(word)) return "start";
  if (helpWords.has(word)) return "help";
  return null;
}
