import type { LanguageModelV3 } from "@ai-sdk/provider";
import { ConversationAgent } from "../../src/core/agent/conversation-agent.js";
import { createToolSet } from "../../src/core/tools/tool-set.js";
import type { ConversationStore } from "../../src/ports/conversation-store.js";

/** An agent with no tools and small limits for session tests; the history budget is the knob tests turn. */
export function createTestAgent(options: {
  store: ConversationStore;
  model: LanguageModelV3;
  historyBudgetChars?: number;
}): ConversationAgent {
  return new ConversationAgent({
    store: options.store,
    model: options.model,
    toolSet: createToolSet([]),
    systemPrompt: "You are a test agent.",
    channelInstructions: {},
    maxSteps: 2,
    maxOutputTokens: 100,
    temperature: undefined,
    historyLimit: 40,
    historyBudgetChars: options.historyBudgetChars ?? 100_000,
    keepRecentMessages: 4,
  });
}
