import type { JSONValue, LanguageModelV3ToolResultOutput } from "@ai-sdk/provider";
import { type OfflinePrompt, spellDigits } from "./offline-prompt.js";

const failedAction: Record<string, string> = {
  send_digits: "I couldn't send the digits",
  end_call: "I couldn't end the call",
  transfer_to_human: "I couldn't connect you to a person",
  request_human: "I couldn't reach a person",
  send_sms: "I couldn't send the text",
  send_email: "I couldn't send the email",
  call_me_back: "I couldn't place the call",
  verify_contact: "I couldn't send a code there",
  confirm_contact_code: "I couldn't confirm that code",
};

/**
 * Answers from the results of the tool calls the model just made. A failed result (error output,
 * or JSON with `ok: false` or an `error`) is reported as a failure with its reason, never as done.
 */
export function answerFromToolResults(prompt: OfflinePrompt): string {
  const sentences: string[] = [];
  for (const part of prompt.toolMessage?.content ?? []) {
    if (part.type !== "tool-result") continue;
    const failure = failureReason(part.output);
    if (failure !== undefined) {
      const action = failedAction[part.toolName] ?? `I couldn't run ${part.toolName}`;
      sentences.push(`${action}: ${sentence(failure)}`);
      continue;
    }
    switch (part.toolName) {
      case "send_digits": {
        const sent =
          field(outputValue(part.output), "sent") ??
          field(prompt.toolCallInputs.get(part.toolCallId), "digits");
        sentences.push(sent ? `I've sent the digits ${spellDigits(sent)}.` : "I've sent the digits.");
        break;
      }
      case "end_call":
        sentences.push("Goodbye!");
        break;
      case "transfer_to_human":
        sentences.push("Connecting you to a person now.");
        break;
      case "request_human":
        sentences.push("I've asked a person from the team to get back to you here.");
        break;
      case "send_sms":
        sentences.push(
          inReply(prompt, part, "message") ??
            "I've queued a text message to your phone; it should arrive shortly.",
        );
        break;
      case "send_email":
        sentences.push(
          inReply(prompt, part, "body") ??
            "I've queued an email to you with the details; it should arrive shortly.",
        );
        break;
      case "verify_contact": {
        const address = spoken(field(outputValue(part.output), "address"), prompt.voice);
        const status = field(outputValue(part.output), "status");
        sentences.push(
          status === "already-verified"
            ? `${address ? address[0]?.toUpperCase() + address.slice(1) : "That address"} is already verified for you.`
            : `I've sent a 6-digit code to ${address ?? "that address"}. Please read it back to me to confirm it's yours.`,
        );
        break;
      }
      case "confirm_contact_code":
        sentences.push(
          `Thanks, ${spoken(field(outputValue(part.output), "address"), prompt.voice) ?? "the address"} is now verified.`,
        );
        break;
      case "call_me_back":
        sentences.push("I'm placing a call to your phone now.");
        break;
      default: {
        const summary = plain(outputValue(part.output), prompt.voice ? 160 : 600);
        sentences.push(
          summary ? `${part.toolName} returned: ${sentence(summary)}` : `${part.toolName} returned nothing.`,
        );
      }
    }
  }
  return sentences.join(" ") || "Done.";
}

/** A masked number as a voice says it: `•••0199` → "the number ending in 0 1 9 9". */
function spoken(address: string | undefined, voice: boolean): string | undefined {
  if (!voice || address === undefined || !address.startsWith("•••")) return address;
  return `the number ending in ${spellDigits(address.slice(3))}`;
}

/**
 * A message tool that sent nothing because this reply goes to the same address (`in-reply`): the
 * reply is the message it was given, without the recap's "From Switchboard:" heading.
 */
function inReply(
  prompt: OfflinePrompt,
  part: { toolCallId: string; output: LanguageModelV3ToolResultOutput },
  key: string,
): string | undefined {
  if (field(outputValue(part.output), "status") !== "in-reply") return undefined;
  const message = field(prompt.toolCallInputs.get(part.toolCallId), key);
  return message ? message.replace(/^From Switchboard:\s*/, "") : "It's in this reply.";
}

function failureReason(output: LanguageModelV3ToolResultOutput): string | undefined {
  switch (output.type) {
    case "error-text":
      return output.value || "it failed";
    case "error-json":
      return (
        field(output.value, "message") ??
        field(output.value, "error") ??
        (plain(output.value, 300) || "it failed")
      );
    case "execution-denied":
      return output.reason ?? "it was not allowed";
    case "json": {
      const value = output.value;
      if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
      const error = value.error;
      if (value.ok === false || (error !== undefined && error !== null && error !== false)) {
        return field(value, "error") ?? field(error, "message") ?? field(value, "message") ?? "it failed";
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function outputValue(output: LanguageModelV3ToolResultOutput): unknown {
  if (output.type === "text" || output.type === "json") return output.value;
  if (output.type === "content") {
    return output.value.map((item) => (item.type === "text" ? item.text : "")).join(" ");
  }
  return undefined;
}

/** A string field of an object, if it has one. */
function field(value: unknown, key: string): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === "string" && found.length > 0 ? found : undefined;
}

/** A JSON value as plain words: `status: shipped, items: 2 (book, pen)`. */
function plain(value: unknown, maxLength: number): string {
  const text = render(value as JSONValue | undefined, 0).trim();
  return text.length > maxLength ? `${text.slice(0, maxLength - 1).trimEnd()}…` : text;
}

function render(value: JSONValue | undefined, depth: number): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "object") return String(value);
  if (depth > 2) return "…";
  if (Array.isArray(value)) {
    return value
      .map((item) => render(item, depth + 1))
      .filter(Boolean)
      .join(", ");
  }
  const entries: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (key === "ok" && item === true) continue;
    const rendered = render(item, depth + 1);
    if (!rendered) continue;
    const nested = typeof item === "object" && item !== null && !Array.isArray(item);
    entries.push(`${key.replace(/_/g, " ")}: ${nested ? `(${rendered})` : rendered}`);
  }
  return entries.join(depth === 0 ? "; " : ", ");
}

/** Ends a clause with exactly one full stop. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
