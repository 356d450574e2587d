import type {
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3ToolResultOutput,
} from "@ai-sdk/provider";

/** What the offline model decides to do for one call. */
export type OfflineDecision =
  | { kind: "text"; text: string }
  | { kind: "tool-call"; toolName: string; input: Record<string, unknown> };

export const offlineNotice =
  "I'm Switchboard's offline stand-in model, so I can't answer that properly. Set LLM_PROVIDER to a real model provider for full answers.";

const menuText =
  "Press 1 to hear what I can do, 2 to leave a message, or 0 to reach a person. I'm the offline stand-in model, so my answers are simple.";

/**
 * The offline model's rules: answer from tool results, else match a recognisable intent in the
 * last user message. Deterministic: the same prompt always gives the same decision.
 */
export function decideOfflineReply(
  prompt: LanguageModelV3Prompt,
  toolNames: ReadonlySet<string>,
): OfflineDecision {
  const last = prompt[prompt.length - 1];
  if (last?.role === "tool") return { kind: "text", text: describeToolResults(last) };

  const userTexts = prompt.filter((message) => message.role === "user").map(textOf);
  const input = (userTexts[userTexts.length - 1] ?? "").trim();
  const lower = input.toLowerCase().replace(/^\[via [^\]]+\]\s*/, "");
  const can = (name: string) => toolNames.has(name);

  const keypad = /^the caller pressed the keys: ([0-9*#A-Dw]+)$/i.exec(input);
  if (keypad) {
    const digits = keypad[1] ?? "";
    if (digits === "0") {
      return can("transfer_to_human")
        ? { kind: "tool-call", toolName: "transfer_to_human", input: { reason: "caller pressed 0" } }
        : { kind: "text", text: "There is no one to transfer you to right now, sorry." };
    }
    if (digits === "1") {
      return {
        kind: "text",
        text: "I can keep track of our conversation across calls, texts and email, press keys for you, and transfer you to a person. I'm the offline stand-in model, so I only follow simple rules.",
      };
    }
    if (digits === "2")
      return {
        kind: "text",
        text: "Please say your message after this, and I'll keep it in our conversation.",
      };
    return { kind: "text", text: `You pressed ${spell(digits)}. ${menuText}` };
  }

  if (/^(menu|options|help|what can you do\??)$|\bwhat can you do\b|\bmain menu\b/.test(lower)) {
    return { kind: "text", text: menuText };
  }

  if (/\b(person|human|agent|representative|operator|someone real)\b/.test(lower)) {
    return can("transfer_to_human")
      ? { kind: "tool-call", toolName: "transfer_to_human", input: { reason: input.slice(0, 200) } }
      : { kind: "text", text: "I can't transfer you to a person on this channel." };
  }

  const press = /\b(?:press|send(?: the)? digits|dial)\s+([0-9*#w][0-9*#w\s,]*)/i.exec(input);
  if (press && can("send_digits")) {
    const digits = (press[1] ?? "").replace(/[\s,]/g, "");
    if (digits) return { kind: "tool-call", toolName: "send_digits", input: { digits } };
  }

  if (/\b(bye|goodbye|hang up|that's all|that is all)\b/.test(lower)) {
    return can("end_call")
      ? { kind: "tool-call", toolName: "end_call", input: { reason: "caller said goodbye" } }
      : { kind: "text", text: "Goodbye, and thanks for getting in touch!" };
  }

  const nameGiven = /\bmy name is ([\p{L}][\p{L}' -]{0,40})/iu.exec(input);
  if (nameGiven?.[1]) return { kind: "text", text: `Nice to meet you, ${cleanName(nameGiven[1])}.` };

  if (/\bwhat(?:'s| is) my name\b/.test(lower)) {
    for (let index = userTexts.length - 2; index >= 0; index--) {
      const earlier = /\bmy name is ([\p{L}][\p{L}' -]{0,40})/iu.exec(userTexts[index] ?? "");
      if (earlier?.[1]) return { kind: "text", text: `Your name is ${cleanName(earlier[1])}.` };
    }
    return { kind: "text", text: "You haven't told me your name yet." };
  }

  if (/\bwhat did i (?:just )?say\b/.test(lower)) {
    const previous = userTexts[userTexts.length - 2];
    return {
      kind: "text",
      text: previous ? `You said: "${stripLabel(previous)}".` : "This is the first thing you've said.",
    };
  }

  if (/\b(repeat that|say that again|what did you say)\b/.test(lower)) {
    const assistantTexts = prompt
      .filter((message) => message.role === "assistant")
      .map(textOf)
      .filter(Boolean);
    const previous = assistantTexts[assistantTexts.length - 1];
    return { kind: "text", text: previous ? `I said: ${previous}` : "I haven't said anything yet." };
  }

  if (/^(hi|hello|hey|good (morning|afternoon|evening))\b/.test(lower)) {
    return {
      kind: "text",
      text: "Hello! I'm Switchboard's offline stand-in model: I follow simple rules, so say 'menu' to hear what I can do.",
    };
  }

  return { kind: "text", text: offlineNotice };
}

function describeToolResults(message: Extract<LanguageModelV3Message, { role: "tool" }>): string {
  const sentences: string[] = [];
  for (const part of message.content) {
    if (part.type !== "tool-result") continue;
    const failure = failureReason(part.output);
    if (failure !== undefined) {
      sentences.push(`I couldn't do that: ${failure}`);
      continue;
    }
    const value = part.output.type === "json" || part.output.type === "text" ? part.output.value : undefined;
    switch (part.toolName) {
      case "send_digits": {
        const digits = (value as { sent?: string } | undefined)?.sent ?? "";
        sentences.push(`I've sent the digits ${spell(digits)}.`);
        break;
      }
      case "end_call":
        sentences.push("Goodbye, and thanks for calling!");
        break;
      case "transfer_to_human":
        sentences.push("Connecting you to a person now.");
        break;
      default:
        sentences.push(`Here is what I found: ${typeof value === "string" ? value : JSON.stringify(value)}.`);
    }
  }
  return sentences.join(" ") || "Done.";
}

function failureReason(output: LanguageModelV3ToolResultOutput): string | undefined {
  if (output.type === "error-text") return output.value;
  if (output.type === "error-json") return JSON.stringify(output.value);
  if (output.type === "execution-denied") return output.reason ?? "it was not allowed";
  if (
    output.type === "json" &&
    output.value &&
    typeof output.value === "object" &&
    !Array.isArray(output.value)
  ) {
    const record = output.value as Record<string, unknown>;
    if (record.ok === false || typeof record.error === "string") return String(record.error ?? "it failed");
  }
  return undefined;
}

function textOf(message: LanguageModelV3Message): string {
  if (message.role === "system") return message.content;
  return message.content
    .map((part) => (part.type === "text" ? part.text : ""))
    .join("")
    .trim();
}

function stripLabel(text: string): string {
  return text.replace(/^\[via [^\]]+\]\s*/, "");
}

function cleanName(raw: string): string {
  return raw
    .trim()
    .replace(/[.!?,]+$/, "")
    .split(/\s+/)
    .slice(0, 3)
    .join(" ");
}

/** "123#" → "1 2 3 pound" so a voice says each key. */
function spell(digits: string): string {
  return [...digits]
    .map((digit) => (digit === "#" ? "pound" : digit === "*" ? "star" : digit === "w" ? "pause" : digit))
    .join(" ");
}
