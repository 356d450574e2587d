import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV3, LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { streamText } from "ai";
import { createProviderModel } from "../src/llm/create-language-model.js";
import { createOpenAiChatModel } from "../src/llm/openai-chat/create-openai-chat-model.js";
import { createScriptedModel } from "../src/testing/create-scripted-model.js";
import { report, twentyTokens } from "./bench-util.js";
import {
  type ClientCost,
  defaultWarmUpCalls,
  drainTextDeltas,
  measureCallCost,
} from "./measure-call-cost.js";

const baseUrl = process.argv[2] ?? "";
const calls = Number(process.argv[3] ?? "500");
const warmUpCalls = process.argv[4] ? Number(process.argv[4]) : defaultWarmUpCalls(calls);
const prompt = "Where is my order?";

const callOptions: LanguageModelV3CallOptions = {
  prompt: [{ role: "user", content: [{ type: "text", text: prompt }] }],
};

async function drainStreamText(model: LanguageModelV3): Promise<string> {
  const result = streamText({ model, prompt });
  let text = "";
  for await (const delta of result.textStream) text += delta;
  return text;
}

/** The floor: fetch + a hand-written SSE parser, collecting the text deltas. */
async function fetchSse(path: "/responses" | "/chat/completions"): Promise<string> {
  const body =
    path === "/responses"
      ? { model: "gpt-4o-mini", input: [{ role: "user", content: prompt }], stream: true }
      : { model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }], stream: true };
  const response = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer bench" },
    body: JSON.stringify(body),
  });
  if (!response.body) throw new Error("no body");
  const decoder = new TextDecoder();
  let buffered = "";
  let text = "";
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    let boundary = buffered.indexOf("\n\n");
    while (boundary >= 0) {
      const event = buffered.slice(0, boundary);
      buffered = buffered.slice(boundary + 2);
      boundary = buffered.indexOf("\n\n");
      const dataAt = event.indexOf("data: ");
      if (dataAt < 0) continue;
      const data = event.slice(dataAt + 6);
      if (data === "[DONE]") continue;
      const parsed = JSON.parse(data) as {
        type?: string;
        delta?: string;
        choices?: Array<{ delta?: { content?: string } }>;
      };
      if (path === "/responses") {
        if (parsed.type === "response.output_text.delta") text += parsed.delta ?? "";
      } else {
        text += parsed.choices?.[0]?.delta?.content ?? "";
      }
    }
  }
  return text;
}

const measure = (name: string, once: () => Promise<string>) =>
  measureCallCost(name, once, calls, warmUpCalls);

async function main(): Promise<void> {
  const responsesModel = await createProviderModel({
    provider: "openai",
    model: "gpt-4o-mini",
    baseUrl,
    apiKey: "bench",
    awsRegion: undefined,
    client: "ai-sdk",
  });
  const leanChatModel = createOpenAiChatModel({
    baseUrl,
    apiKey: "bench",
    modelId: "gpt-4o-mini",
    providerName: "openai",
    fetch: globalThis.fetch,
  });
  const leanChatModelNodeHttp = createOpenAiChatModel({
    baseUrl,
    apiKey: "bench",
    modelId: "gpt-4o-mini",
    providerName: "openai",
    httpClient: "node:http",
  });
  const leanChatModelSocket = createOpenAiChatModel({
    baseUrl,
    apiKey: "bench",
    modelId: "gpt-4o-mini",
    providerName: "openai",
  });
  const chatModel = createOpenAI({ baseURL: baseUrl, apiKey: "bench" }).chat("gpt-4o-mini");
  const scripted = createScriptedModel(() => ({ text: twentyTokens }));
  const results: ClientCost[] = [];
  results.push(await measure("fetch+SSE /responses (floor)", () => fetchSse("/responses")));
  results.push(
    await measure("@ai-sdk/openai doStream /responses", () => drainTextDeltas(responsesModel, callOptions)),
  );
  results.push(await measure("fetch+SSE /chat/completions (floor)", () => fetchSse("/chat/completions")));
  results.push(await measure("@ai-sdk/openai chat doStream", () => drainTextDeltas(chatModel, callOptions)));
  results.push(
    await measure("lean openai-chat doStream (fetch)", () => drainTextDeltas(leanChatModel, callOptions)),
  );
  results.push(
    await measure("lean openai-chat doStream (node:http)", () =>
      drainTextDeltas(leanChatModelNodeHttp, callOptions),
    ),
  );
  results.push(
    await measure("lean openai-chat doStream (socket)", () =>
      drainTextDeltas(leanChatModelSocket, callOptions),
    ),
  );
  results.push(
    await measure("streamText + @ai-sdk/openai /responses", () => drainStreamText(responsesModel)),
  );
  results.push(await measure("streamText + scripted in-memory model", () => drainStreamText(scripted)));
  report("BENCH_RESULT ", results);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `model-client-cost failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
