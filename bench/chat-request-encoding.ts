/**
 * What building a Chat Completions request costs the lean client: `toChatRequest` + its UTF-8 body
 * (`encodeChatRequestBody`), CPU per request, for a conversation's history sent again (the same
 * prompt message objects every turn, as a session sends them) and sent for the first time (new
 * objects every request); and the memory the encoding keeps per conversation (1,000 conversations,
 * each encoded once, after full collections). Prompts: the repository's system and voice prompts
 * (or six copies of them, a long company prompt) and 20 or 40 history messages.
 *
 * Usage: npx tsx bench/chat-request-encoding.ts [ROUNDS=5]
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { LanguageModelV3FunctionTool, LanguageModelV3Prompt } from "@ai-sdk/provider";
import { encodeChatRequestBody } from "../src/llm/openai-chat/encode-chat-request-body.js";
import { toChatRequest } from "../src/llm/openai-chat/to-chat-request.js";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;
const rounds = Number(process.env.ROUNDS ?? "5");
const requestsPerRound = 10_000;
const promptDirectory = path.resolve(import.meta.dirname, "..", "prompts");
const systemPrompt =
  readFileSync(path.join(promptDirectory, "system.md"), "utf8") +
  readFileSync(path.join(promptDirectory, "voice.md"), "utf8");
const tools: LanguageModelV3FunctionTool[] = Object.freeze([
  {
    type: "function" as const,
    name: "lookup_order",
    description: "Looks an order up by its number",
    inputSchema: {
      type: "object",
      properties: { orderNumber: { type: "string" } },
      required: ["orderNumber"],
    },
  },
]) as LanguageModelV3FunctionTool[];

/** One flat string per length, shared by every conversation, as a server shares its system prompt. */
const systemTexts = new Map<number, string>();
function systemText(copies: number): string {
  let text = systemTexts.get(copies);
  if (text === undefined) {
    text = Buffer.from(systemPrompt.repeat(copies)).toString("utf8");
    systemTexts.set(copies, text);
  }
  return text;
}

function conversation(historyLength: number, systemCopies: number, tag: string): LanguageModelV3Prompt {
  const prompt: LanguageModelV3Prompt = [{ role: "system", content: systemText(systemCopies) }];
  for (let index = 0; index < historyLength; index++) {
    prompt.push(
      index % 2 === 0
        ? {
            role: "user",
            content: [{ type: "text", text: `When does the re:Play party start ${tag}-${index}?` }],
          }
        : {
            role: "assistant",
            content: [
              {
                type: "text",
                text: `It starts at eight in the evening at the festival grounds ${tag}-${index}.`,
              },
            ],
          },
    );
  }
  return prompt;
}

function requestBytes(prompt: LanguageModelV3Prompt): number {
  const { body } = toChatRequest("gpt-4o-mini", { prompt, tools, maxOutputTokens: 300 }, true);
  let bytes = 0;
  for (const chunk of encodeChatRequestBody(body)) bytes += chunk.length;
  return bytes;
}

/**
 * CPU µs per request. `fresh`: new prompt objects for every request, built 100 conversations at a
 * time outside the timing (a server holds its live conversations, not every one it has seen).
 */
function microsPerRequest(historyLength: number, systemCopies: number, fresh: boolean): number {
  const requestsPerBatch = fresh ? 100 : requestsPerRound;
  let micros = 0;
  let bytes = 0;
  for (let done = 0; done < requestsPerRound; done += requestsPerBatch) {
    const prompts = Array.from({ length: fresh ? requestsPerBatch : 1 }, (_, index) =>
      conversation(historyLength, systemCopies, String(done + index)),
    );
    const start = process.cpuUsage();
    for (let request = 0; request < requestsPerBatch; request++) {
      bytes += requestBytes(prompts[request % prompts.length] as LanguageModelV3Prompt);
    }
    const used = process.cpuUsage(start);
    micros += used.user + used.system;
  }
  if (bytes === 0) throw new Error("nothing encoded");
  return micros / requestsPerRound;
}

function keptPerConversation(historyLength: number, systemCopies: number): number {
  const measure = () => {
    for (let pass = 0; pass < 4; pass++) collectGarbage();
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.arrayBuffers;
  };
  const conversations = Array.from({ length: 1000 }, (_, index) =>
    conversation(historyLength, systemCopies, `kept-${index}`),
  );
  const before = measure();
  for (const prompt of conversations) requestBytes(prompt);
  // `conversations` is read after the second measure, so they are all alive for it.
  return (measure() - before) / conversations.length;
}

const cases = [
  { historyLength: 20, systemCopies: 1 },
  { historyLength: 40, systemCopies: 1 },
  { historyLength: 20, systemCopies: 6 },
  { historyLength: 40, systemCopies: 6 },
];
for (const { historyLength, systemCopies } of cases) microsPerRequest(historyLength, systemCopies, false);
console.log(
  "| history | system prompt | request | sent again, µs per request | first time, µs per request | kept per conversation |",
);
console.log("|---:|---:|---:|---|---|---:|");
for (const { historyLength, systemCopies } of cases) {
  const again: string[] = [];
  const first: string[] = [];
  for (let round = 0; round < rounds; round++) {
    again.push(microsPerRequest(historyLength, systemCopies, false).toFixed(1));
    first.push(microsPerRequest(historyLength, systemCopies, true).toFixed(1));
  }
  const bytes = requestBytes(conversation(historyLength, systemCopies, "size"));
  const kept = keptPerConversation(historyLength, systemCopies);
  console.log(
    `| ${historyLength} | ${((systemPrompt.length * systemCopies) / 1024).toFixed(1)} KiB | ${(bytes / 1024).toFixed(1)} KiB | ${again.join(" / ")} | ${first.join(" / ")} | ${(kept / 1024).toFixed(1)} KiB |`,
  );
}
