import { createOpenAiChatModel } from "../../../src/llm/openai-chat/create-openai-chat-model.js";
import {
  createFakeOpenAiServer,
  type FakeOpenAiReply,
} from "../../../src/testing/create-fake-openai-server.js";
import {
  type ContractScenario,
  expectedToolCall,
  languageModelContract,
} from "../language-model-contract.js";

const tokens = ["The ", "answer ", "is ", "forty-two."];

function fakeReply(scenario: ContractScenario): FakeOpenAiReply {
  if (scenario === "tool-call") {
    return { toolCalls: [{ name: expectedToolCall.toolName, arguments: expectedToolCall.input }] };
  }
  return { tokens, delayMs: scenario === "slow-text" ? 30 : 0 };
}

// The lean client over each transport: the default `node:http` one and an injected `fetch`.
for (const transport of [
  { name: "a socket (the default)", settings: {} },
  { name: "node:http", settings: { httpClient: "node:http" as const } },
  { name: "fetch", settings: { fetch: globalThis.fetch } },
]) {
  languageModelContract(`lean OpenAI chat client over ${transport.name} against the fake OpenAI server`, {
    makeModel: async (scenario) => {
      const server = await createFakeOpenAiServer(fakeReply(scenario));
      const model = createOpenAiChatModel({
        baseUrl: server.url,
        apiKey: "test-key",
        modelId: "gpt-test",
        providerName: "openai",
        ...transport.settings,
      });
      return { model, close: () => server.close() };
    },
    expectedText: tokens.join(""),
    directStream: true,
  });
}
