import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import { createBedrockConverseModel } from "../../src/llm/bedrock-converse/create-bedrock-converse-model.js";
import { createOfflineModel } from "../../src/llm/offline/create-offline-model.js";
import { withResilience } from "../../src/llm/with-resilience.js";
import {
  createFakeBedrockRuntimeServer,
  type FakeBedrockReply,
} from "../../src/testing/create-fake-bedrock-runtime-server.js";
import { type ContractScenario, expectedToolCall, languageModelContract } from "./language-model-contract.js";

const tokens = ["The ", "answer ", "is ", "forty-two."];
const region = "eu-west-1";
const modelId = "amazon.nova-lite-v1:0";
const testCredentials = { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" };

function fakeReply(scenario: ContractScenario): FakeBedrockReply {
  if (scenario === "tool-call")
    return { toolCalls: [{ name: expectedToolCall.toolName, input: expectedToolCall.input }] };
  return { tokens, delayMs: scenario === "slow-text" ? 30 : 0 };
}

async function startFake(scenario: ContractScenario) {
  return createFakeBedrockRuntimeServer(fakeReply(scenario), {
    region,
    accessKeyId: testCredentials.accessKeyId,
  });
}

function leanClient(endpoint: string) {
  return createBedrockConverseModel({ region, modelId, credentials: async () => testCredentials, endpoint });
}

languageModelContract("lean Bedrock Converse client against the fake Bedrock Runtime server", {
  makeModel: async (scenario) => {
    const server = await startFake(scenario);
    const model = leanClient(server.url);
    return { model, close: () => server.close() };
  },
  expectedText: tokens.join(""),
  directStream: true,
});

languageModelContract("@ai-sdk/amazon-bedrock against the fake Bedrock Runtime server", {
  makeModel: async (scenario) => {
    const server = await startFake(scenario);
    const model = createAmazonBedrock({ region, baseURL: server.url, ...testCredentials }).languageModel(
      modelId,
    );
    return { model, close: () => server.close() };
  },
  expectedText: tokens.join(""),
});

languageModelContract("resilience wrapper around the lean Bedrock client", {
  makeModel: async (scenario) => {
    const server = await startFake(scenario);
    const model = leanClient(server.url);
    return { model: withResilience(model, { fallback: createOfflineModel() }), close: () => server.close() };
  },
  expectedText: tokens.join(""),
  directStream: true,
});
