import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { createBedrockConverseModel } from "../src/llm/bedrock-converse/create-bedrock-converse-model.js";
import { createFakeBedrockRuntimeServer } from "../src/testing/create-fake-bedrock-runtime-server.js";
import {
  exitWhenParentGoes,
  installCleanupHandlers,
  report,
  round,
  startChild,
  twentyTokens,
} from "./bench-util.js";
import { type ClientCost, drainTextDeltas, measureCallCost } from "./measure-call-cost.js";

const region = "us-east-1";
const modelId = "amazon.nova-lite-v1:0";
const credentials = { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" };

async function serve(): Promise<void> {
  const together = await createFakeBedrockRuntimeServer(
    { tokens: twentyTokens, chunking: "whole" },
    { region },
  );
  const spaced = await createFakeBedrockRuntimeServer(
    { tokens: twentyTokens, chunking: "spaced" },
    { region },
  );
  exitWhenParentGoes(async () => {
    await together.close();
    await spaced.close();
  });
  report("BENCH_READY ", { togetherUrl: together.url, spacedUrl: spaced.url, pid: process.pid });
}

const callOptions: LanguageModelV3CallOptions = {
  prompt: [
    { role: "system", content: "You are a helpful phone agent for an online shop." },
    { role: "user", content: [{ type: "text", text: "Where is my order?" }] },
  ],
  maxOutputTokens: 200,
};

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? "500");
  installCleanupHandlers();
  const fake = startChild("bench/bedrock-client-cost.ts", { scriptArguments: ["serve"] });
  try {
    const urls = await fake.waitForLine<{ togetherUrl: string; spacedUrl: string }>("BENCH_READY ", 20_000);
    const clients = (url: string, frames: string) => [
      {
        name: `lean bedrock-converse doStream, ${frames}`,
        model: createBedrockConverseModel({
          region,
          modelId,
          credentials: async () => credentials,
          endpoint: url,
        }),
      },
      {
        name: `@ai-sdk/amazon-bedrock doStream, ${frames}`,
        model: createAmazonBedrock({ region, baseURL: url, ...credentials }).languageModel(modelId),
      },
    ];
    const subjects = [
      ...clients(urls.togetherUrl, "frames back to back"),
      ...clients(urls.spacedUrl, "one frame per read"),
    ];
    // Two alternating rounds, so no client always runs on a colder or hotter process.
    const rounds: ClientCost[][] = [];
    for (let round = 0; round < 2; round++) {
      const costs: ClientCost[] = [];
      for (const subject of subjects)
        costs.push(
          await measureCallCost(subject.name, () => drainTextDeltas(subject.model, callOptions), calls),
        );
      rounds.push(costs);
    }
    const results = rounds[0]!.map((first, index) => {
      const second = rounds[1]![index]!;
      return {
        name: first.name,
        cpuMsPerCall: round((first.cpuMsPerCall + second.cpuMsPerCall) / 2),
        wallMsPerCall: round((first.wallMsPerCall + second.wallMsPerCall) / 2),
        calls: first.calls + second.calls,
      };
    });
    console.log(`Bedrock ConverseStream client cost, 20-token streamed call, ${calls} calls × 2 rounds`);
    console.log("| client | CPU ms/call | wall ms/call | CPU vs lean |");
    console.log("|---|---:|---:|---:|");
    for (const [index, result] of results.entries()) {
      const leanCost = results[index - (index % 2)]!.cpuMsPerCall;
      const ratio = leanCost > 0 ? `${round(result.cpuMsPerCall / leanCost, 2)}×` : "—";
      console.log(`| ${result.name} | ${result.cpuMsPerCall} | ${result.wallMsPerCall} | ${ratio} |`);
    }
    report("BENCH_RESULT ", results);
  } finally {
    await fake.stop();
  }
}

const run = process.argv[2] === "serve" ? serve() : main().then(() => process.exit(0));
run.catch((error: unknown) => {
  process.stderr.write(
    `bedrock-client-cost failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
