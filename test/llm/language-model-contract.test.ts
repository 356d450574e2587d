import { createProviderModel } from "../../src/llm/create-language-model.js";
import { createOfflineModel } from "../../src/llm/offline/create-offline-model.js";
import { withResilience } from "../../src/llm/with-resilience.js";
import { createFakeOpenAiServer, type FakeOpenAiReply } from "../../src/testing/create-fake-openai-server.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { type ContractScenario, expectedToolCall, languageModelContract } from "./language-model-contract.js";

const tokens = ["The ", "answer ", "is ", "forty-two."];
const offlineGreeting =
  "Hello! I'm Switchboard's offline stand-in model, so I follow simple rules. Ask for the menu to hear what I can do.";

function fakeReply(scenario: ContractScenario): FakeOpenAiReply {
  if (scenario === "tool-call") {
    return { toolCalls: [{ name: expectedToolCall.toolName, arguments: expectedToolCall.input }] };
  }
  return { tokens, delayMs: scenario === "slow-text" ? 30 : 0 };
}

/** Through `createProviderModel`: `client` picks the lean client or the AI SDK provider package. */
function viaFakeServer(provider: "openai" | "openai-compatible", client: "lean" | "ai-sdk") {
  return async (scenario: ContractScenario) => {
    const server = await createFakeOpenAiServer(fakeReply(scenario));
    const model = await createProviderModel({
      provider,
      model: "gpt-test",
      baseUrl: server.url,
      apiKey: "test-key",
      awsRegion: undefined,
      client,
    });
    return { model, close: () => server.close() };
  };
}

languageModelContract("offline model", {
  makeModel: () => ({ model: createOfflineModel() }),
  expectedText: offlineGreeting,
  directStream: true,
});

languageModelContract("scripted model", {
  makeModel: (scenario) => ({
    model: createScriptedModel(() =>
      scenario === "tool-call"
        ? { toolCalls: [expectedToolCall] }
        : { text: tokens, delayMs: scenario === "slow-text" ? 20 : 0 },
    ),
  }),
  expectedText: tokens.join(""),
  directStream: true,
});

// The lean OpenAI chat client on its own runs this contract in openai-chat/openai-chat-contract.test.ts.
languageModelContract("LLM_PROVIDER=openai-compatible (lean client) against the fake OpenAI server", {
  makeModel: viaFakeServer("openai-compatible", "lean"),
  expectedText: tokens.join(""),
  directStream: true,
});

languageModelContract("@ai-sdk/openai (Responses API) against the fake OpenAI server", {
  makeModel: viaFakeServer("openai", "ai-sdk"),
  expectedText: tokens.join(""),
});

languageModelContract("@ai-sdk/openai-compatible against the fake OpenAI server", {
  makeModel: viaFakeServer("openai-compatible", "ai-sdk"),
  expectedText: tokens.join(""),
});

languageModelContract("resilience wrapper around openai (lean client)", {
  makeModel: async (scenario) => {
    const subject = await viaFakeServer("openai", "lean")(scenario);
    return { ...subject, model: withResilience(subject.model, { fallback: createOfflineModel() }) };
  },
  expectedText: tokens.join(""),
  directStream: true,
});

languageModelContract("resilience wrapper around @ai-sdk/openai", {
  makeModel: async (scenario) => {
    const subject = await viaFakeServer("openai", "ai-sdk")(scenario);
    return { ...subject, model: withResilience(subject.model, { fallback: createOfflineModel() }) };
  },
  expectedText: tokens.join(""),
  directStream: true,
});

languageModelContract("resilience wrapper around the offline model", {
  makeModel: () => ({ model: withResilience(createOfflineModel()) }),
  expectedText: offlineGreeting,
  directStream: true,
});
