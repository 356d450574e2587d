import { answerFollowUp, contentWords } from "./offline-knowledge.js";
import { type OfflinePrompt, spellDigits } from "./offline-prompt.js";

/** What the offline model decides to do for one call. */
export type OfflineDecision =
  | { kind: "text"; text: string }
  | { kind: "tool-call"; toolName: string; input: Record<string, unknown> };

export const standInNotice = "I'm Switchboard's offline stand-in model, so I can't answer that properly.";
export const setProviderHint = "Set LLM_PROVIDER to a real model provider for full answers.";
const simpleRules = "I'm Switchboard's offline stand-in model, so I follow simple rules.";
const keypadPattern = /^the caller pressed the keys: ([0-9a-d*#w]+)$/i;
const namePattern = /\bmy name is ([\p{L}][\p{L}'’-]*(?:\s+[\p{L}][\p{L}'’-]*){0,2})/iu;
const notPartOfName = new Set([
  "and",
  "but",
  "i",
  "i'm",
  "im",
  "what",
  "can",
  "how",
  "please",
  "thanks",
  "from",
]);

/**
 * The offline model's rules for the last user message, tried in order. Every answer is built from
 * the prompt itself (the user's words, the history, the tools offered); nothing is invented.
 */
export function matchIntent(prompt: OfflinePrompt): OfflineDecision {
  if (prompt.system.startsWith("Summarize the conversation"))
    return { kind: "text", text: extractiveSummary(prompt) };
  const input = (prompt.userTexts[prompt.userTexts.length - 1] ?? "").trim();
  const lower = input.toLowerCase().replace(/’/g, "'");
  const text = (value: string): OfflineDecision => ({ kind: "text", text: value });

  // A code read back while one is awaited: on its own ("266351", "266 351", "2, 6, 6…", "two six
  // six…"), with a few words around it ("it's 266 351.", "the code is …"), or keyed in.
  const codeDigits = awaitingCode(prompt) ? (keypadPattern.exec(input)?.[1] ?? spokenCode(lower)) : undefined;
  if (codeDigits?.length === 6 && /^\d+$/.test(codeDigits))
    return { kind: "tool-call", toolName: "confirm_contact_code", input: { code: codeDigits } };

  const keys = keypadPattern.exec(input)?.[1] ?? (/^[0-9*#]+$/.test(input) ? input : undefined);
  if (keys !== undefined) return menuChoice(keys, prompt);

  if (
    /\b(?:menu|options|what can you do)\b/.test(lower) ||
    /^(?:help|help me|help please|i need help)\W*$/.test(lower)
  ) {
    return text(`${menu(prompt)} ${simpleRules}`);
  }

  if (/\b(?:person|human|agent|representative|operator|someone real)\b/.test(lower)) {
    return transferOr(prompt, "caller asked for a person");
  }

  const press = /\b(?:press|send(?: the)? digits|dial)\s+([0-9*#][0-9*#w\s,-]*)/i.exec(input);
  if (press?.[1]) {
    const digits = press[1].replace(/[^0-9*#wW]/g, "").replace(/[wW]+$/, "");
    if (!prompt.toolNames.has("send_digits")) return text("I can't press phone keys on this channel.");
    return { kind: "tool-call", toolName: "send_digits", input: { digits } };
  }

  // "text me at <number>" gives a new address (verified first); plain "text me" sends.
  const newAddress =
    /\b(?:e-?mail|text|reach|contact) me at\s+([^\s,;]+@[^\s,;]+\.[a-z]{2,}|\+?[\d\s().-]{7,})/i.exec(input);
  if (newAddress?.[1] && prompt.toolNames.has("verify_contact") && !answeredVerification(prompt)) {
    return {
      kind: "tool-call",
      toolName: "verify_contact",
      input: { address: newAddress[1].replace(/[.]+$/, "").trim() },
    };
  }

  if (/\b(?:text|sms) me\b|\bsend (?:me )?(?:a |an |the )?(?:text|sms)\b/.test(lower)) {
    if (!prompt.toolNames.has("send_sms")) return text("I can't send text messages from here.");
    // To the number the customer last asked to be texted at (the tool checks it is theirs).
    const to = lastTextMeAt(prompt);
    return {
      kind: "tool-call",
      toolName: "send_sms",
      input: { message: recapFor(prompt, 300), ...(to ? { to } : {}) },
    };
  }

  const code = /\b(?:code|number) is\s*([\d\s-]{6,11})\b/i.exec(input)?.[1]?.replace(/\D/g, "");
  if (code && code.length === 6 && prompt.toolNames.has("confirm_contact_code")) {
    return { kind: "tool-call", toolName: "confirm_contact_code", input: { code } };
  }

  if (/\be-?mail me\b|\bsend (?:me )?(?:an |the )?e-?mail\b/.test(lower)) {
    if (!prompt.toolNames.has("send_email")) return text("I can't send email from here.");
    return {
      kind: "tool-call",
      toolName: "send_email",
      input: { subject: "Your conversation with Switchboard", body: recapFor(prompt, 4000) },
    };
  }

  if (/\b(?:call me back|call me)\b/.test(lower) && !prompt.voice) {
    if (!prompt.toolNames.has("call_me_back")) return text("I can't place calls from here.");
    return { kind: "tool-call", toolName: "call_me_back", input: {} };
  }

  if (/\b(?:bye|goodbye|good bye|hang up|that's all|that is all)\b/.test(lower)) {
    return prompt.toolNames.has("end_call")
      ? { kind: "tool-call", toolName: "end_call", input: { reason: "caller said goodbye" } }
      : text("Goodbye, and thanks for getting in touch!");
  }

  const givenName = nameIn(input);
  if (givenName) return text(`Nice to meet you, ${givenName}.`);

  if (/\bwhat(?:'s| is) my name\b|\bdo you (?:know|remember) my name\b/.test(lower)) {
    for (let index = prompt.userTexts.length - 2; index >= 0; index--) {
      const earlier = nameIn(prompt.userTexts[index] ?? "");
      if (earlier) return text(`Your name is ${earlier}.`);
    }
    return text("You haven't told me your name yet.");
  }

  if (/\bwhat did i (?:just )?say\b/.test(lower)) {
    const previous = prompt.userTexts[prompt.userTexts.length - 2];
    if (previous === undefined) return text("This is the first thing you've said to me.");
    const previousKeys = keypadPattern.exec(previous)?.[1];
    return text(previousKeys ? `You pressed ${spellDigits(previousKeys)}.` : `You said: "${previous}".`);
  }

  if (/\b(?:repeat that|say that again|what did you (?:just )?say)\b/.test(lower)) {
    const previous = prompt.assistantTexts[prompt.assistantTexts.length - 1];
    return text(previous ? `I said: ${previous}` : "I haven't said anything yet.");
  }

  // A greeting alone; "hi, when is…" is a question and is answered as one.
  if (
    /^(?:hi|hello|hey|good (?:morning|afternoon|evening))(?:[\s,.!]+(?:there|switchboard))?[\s,.!]*$/.test(
      lower,
    )
  ) {
    return text(`Hello! ${simpleRules} Ask for the menu to hear what I can do.`);
  }

  if (prompt.assistantTexts[prompt.assistantTexts.length - 1] === leaveMessagePrompt(prompt)) {
    return text("Thank you. Your message is saved with this conversation.");
  }

  const followUp = answerFollowUp(prompt, input);
  if (followUp) return text(followUp);

  if (prompt.toolNames.has("search_knowledge") && contentWords(input).length > 0) {
    // The tool takes up to 4,000 characters; a longer message is searched by its last part.
    return { kind: "tool-call", toolName: "search_knowledge", input: { query: input.slice(-4000) } };
  }

  return text(prompt.voice ? standInNotice : `${standInNotice} ${setProviderHint}`);
}

/**
 * A summary request (history compaction): the offline model cannot abstract, so it keeps the
 * customer's own lines, shortened — facts the customer gave survive, nothing is invented.
 */
function extractiveSummary(prompt: OfflinePrompt): string {
  const request = prompt.userTexts[prompt.userTexts.length - 1] ?? "";
  const previous = /^Summary so far:\n([\s\S]*?)\n\nConversation to add:/.exec(request)?.[1] ?? "";
  const lines = request
    .split("\n")
    .filter((line) => line.startsWith("Customer ("))
    .map((line) => line.replace(/^Customer \((\w+)\): /, "The customer said ($1): ").slice(0, 200));
  return [previous, ...lines].filter(Boolean).join("\n").slice(-4000);
}

/** True when the last assistant step already handled a verify_contact call (avoid looping). */
function answeredVerification(prompt: OfflinePrompt): boolean {
  return (
    prompt.toolMessage?.content.some(
      (part) => part.type === "tool-result" && part.toolName === "verify_contact",
    ) ?? false
  );
}

/** A code was sent and nothing was verified since: the next 6 digits are that code. */
function awaitingCode(prompt: OfflinePrompt): boolean {
  if (!prompt.toolNames.has("confirm_contact_code")) return false;
  const replies = prompt.assistantTexts;
  const sent = replies.findLastIndex((reply) => /^I've sent a 6-digit code/.test(reply));
  return sent >= 0 && !replies.slice(sent + 1).some((reply) => /is now verified\.$/.test(reply));
}

/** The stand-in's own replies about sending and verifying: not what "text me that" means. */
const housekeepingReplies = [
  /^I couldn't /,
  /is not an option\. /,
  /^I've sent a 6-digit code/,
  /is now verified\.$/,
  /is already verified for you\.$/,
  /^I've queued /,
  /^I'm placing a call/,
];

/** What to send when asked to "text me that": the last answer given, else a note that there was nothing yet. */
function recapFor(prompt: OfflinePrompt, maxLength: number): string {
  const last = prompt.assistantTexts.findLast(
    (reply) => !housekeepingReplies.some((pattern) => pattern.test(reply)),
  );
  const recap = last
    ? `From Switchboard: ${last}`
    : "From Switchboard: you asked for a message; we haven't discussed anything yet.";
  return recap.length > maxLength ? `${recap.slice(0, maxLength - 1).trimEnd()}…` : recap;
}

/** A keypad (or typed) menu choice: 0 a person, 1 what I can do, 2 leave a message. */
function menuChoice(keys: string, prompt: OfflinePrompt): OfflineDecision {
  if (keys === "0") return transferOr(prompt, "caller pressed 0");
  if (keys === "1") return { kind: "text", text: abilities(prompt) };
  if (keys === "2") return { kind: "text", text: leaveMessagePrompt(prompt) };
  return { kind: "text", text: `${spellDigits(keys)} is not an option. ${menu(prompt)}` };
}

/** A call is transferred; on a text channel a person is asked to follow up (event webhooks). */
function transferOr(prompt: OfflinePrompt, reason: string): OfflineDecision {
  if (prompt.toolNames.has("transfer_to_human"))
    return { kind: "tool-call", toolName: "transfer_to_human", input: { reason } };
  if (prompt.toolNames.has("request_human")) {
    return {
      kind: "tool-call",
      toolName: "request_human",
      input: { reason: reason.replace("caller", "customer") },
    };
  }
  return { kind: "text", text: "I can't connect you to a person on this channel." };
}

/** A person can be reached: a transfer on a call, a follow-up request elsewhere. */
function reachesPerson(prompt: OfflinePrompt): boolean {
  return prompt.toolNames.has("transfer_to_human") || prompt.toolNames.has("request_human");
}

/** The menu offers 0 only when a tool is there to back it. */
function menu(prompt: OfflinePrompt): string {
  const verb = prompt.channel === undefined || prompt.voice ? "Press" : "Reply";
  return reachesPerson(prompt)
    ? `${verb} 1 to hear what I can do, 2 to leave a message, or 0 to reach a person.`
    : `${verb} 1 to hear what I can do, or 2 to leave a message.`;
}

function abilities(prompt: OfflinePrompt): string {
  const things = ["greet you", "remember your name", "repeat what you said", "take a message"];
  if (prompt.toolNames.has("send_digits")) things.push("press phone keys for you");
  if (prompt.toolNames.has("transfer_to_human")) things.push("connect you to a person");
  else if (prompt.toolNames.has("request_human")) things.push("ask a person to get back to you");
  if (prompt.toolNames.has("end_call")) things.push("end the call");
  const list = `${things.slice(0, -1).join(", ")} and ${things[things.length - 1]}`;
  const notice = "I'm Switchboard's offline stand-in model, so that is all I can do.";
  return prompt.voice ? `I can ${list}. ${notice}` : `I can ${list}. ${notice} ${setProviderHint}`;
}

function leaveMessagePrompt(prompt: OfflinePrompt): string {
  return prompt.voice
    ? "Please say your message now, and I'll keep it with this conversation."
    : "Please send your message now, and I'll keep it with this conversation.";
}

/** "my name is ada lovelace and I…" → "Ada Lovelace". */
function nameIn(text: string): string | undefined {
  const words = namePattern.exec(text)?.[1]?.split(/\s+/) ?? [];
  const name: string[] = [];
  for (const word of words) {
    if (notPartOfName.has(word.toLowerCase())) break;
    name.push(word.charAt(0).toUpperCase() + word.slice(1));
  }
  return name.length > 0 ? name.join(" ") : undefined;
}

const digitWords: Record<string, string> = {
  zero: "0",
  oh: "0",
  o: "0",
  one: "1",
  two: "2",
  three: "3",
  four: "4",
  five: "5",
  six: "6",
  seven: "7",
  eight: "8",
  nine: "9",
};
/** Words that may stand around a code read back: "it's", "my code is", "okay", "sure"… */
const codeFillers = new Set([
  "it's",
  "its",
  "it",
  "is",
  "my",
  "the",
  "code",
  "okay",
  "ok",
  "sure",
  "yes",
  "um",
  "uh",
]);

/** The six digits of a code read back with little else around it, or undefined. */
function spokenCode(lower: string): string | undefined {
  let digits = "";
  for (const token of lower.split(/[\s,.;:!?-]+/)) {
    if (token === "") continue;
    if (/^\d+$/.test(token)) digits += token;
    else if (digitWords[token] !== undefined) digits += digitWords[token];
    else if (!codeFillers.has(token)) return undefined;
  }
  return digits.length === 6 ? digits : undefined;
}

/** The number in the customer's latest "text me at +…" (international form only), if any. */
function lastTextMeAt(prompt: OfflinePrompt): string | undefined {
  for (const said of [...prompt.userTexts].reverse()) {
    const number = /\b(?:text|reach|contact) me at\s+(\+[\d\s().-]{7,})/i.exec(said)?.[1];
    if (number) return number.replace(/[\s().-]/g, "");
  }
  return undefined;
}
