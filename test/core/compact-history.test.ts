import { describe, expect, it, vi } from "vitest";
import { summaryInstruction } from "../../src/core/conversation/compact-history.js";
import { createOfflineModel } from "../../src/llm/offline/create-offline-model.js";
import { createMemoryConversationStore } from "../../src/stores/memory/create-memory-conversation-store.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { createTestAgent } from "../helpers/test-agent.js";

async function waitFor<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("condition never met");
}

describe("history compaction", () => {
  it("folds older turns into a stored summary made by the model, keeping the prompt bounded", async () => {
    const store = createMemoryConversationStore();
    const model = createScriptedModel((options, index) => {
      if (options.prompt[0]?.role === "system" && String(options.prompt[0].content).startsWith("Summarize")) {
        return { text: "Pat wants a table for two on Friday at 7 PM." };
      }
      return { text: `Reply ${index} ${"x".repeat(150)}` };
    });
    const agent = createTestAgent({ store, model, historyBudgetChars: 1000 });
    const conversation = await store.createConversation({ channel: "sms" });
    const session = await agent.openSession(conversation.id, "sms");
    for (let turn = 0; turn < 6; turn++)
      await session.runTurn({ text: `Message ${turn} ${"y".repeat(100)}` });

    const summarized = await waitFor(async () => {
      const current = await store.getConversation(conversation.id);
      return typeof current?.metadata.summary === "string" ? current : undefined;
    });
    expect(summarized.metadata.summary).toBe("Pat wants a table for two on Friday at 7 PM.");
    const through = summarized.metadata.summaryThroughSequence as number;
    expect(through).toBeGreaterThan(0);
    const summaryCall = model.calls.find(
      (call) => String(call.prompt[0]?.role === "system" && call.prompt[0].content) === summaryInstruction,
    );
    expect(JSON.stringify(summaryCall?.prompt)).toContain("Customer (sms): Message 0");

    // The next turn sees the summary in the system prompt and only the recent messages.
    await session.runTurn({ text: "And the time?" });
    const last = model.calls[model.calls.length - 1];
    expect(String(last?.prompt[0]?.content)).toContain(
      "Earlier in this conversation (summary):\nPat wants a table",
    );
    const userTexts = JSON.stringify(last?.prompt.filter((message) => message.role === "user"));
    expect(userTexts).not.toContain("Message 0");
    expect(userTexts).toContain("And the time?");

    // A new session (another channel, another node) starts from the summary too.
    const reopened = await agent.openSession(conversation.id, "voice");
    expect(reopened.messages().every((message) => message.sequence > through)).toBe(true);
    // Nothing was deleted: the full timeline is still stored.
    expect((await store.listMessages(conversation.id)).length).toBeGreaterThanOrEqual(14);
  });

  it("compacts once the history passes its budget, counting only what the caller heard of a cut-off reply", async () => {
    // Each message counts its text and 20: "u1" 22, the 200-character reply 220, "u2" 22, "Short." 26.
    const longReply = "r".repeat(200);
    const openVoiceSession = async () => {
      const store = createMemoryConversationStore();
      const agent = createTestAgent({
        store,
        model: createScriptedModel([{ text: [longReply] }, { text: ["Short."] }]),
        historyBudgetChars: 250,
      });
      const compact = vi.spyOn(agent, "compact").mockResolvedValue(undefined);
      const conversation = await store.createConversation({ channel: "voice" });
      return { compact, session: await agent.openSession(conversation.id, "voice") };
    };

    // Heard in full: 242 after the first turn (within 250), 290 after the second.
    const heardInFull = await openVoiceSession();
    await heardInFull.session.runTurn({ text: "u1" });
    expect(heardInFull.compact).not.toHaveBeenCalled();
    await heardInFull.session.runTurn({ text: "u2" });
    expect(heardInFull.compact).toHaveBeenCalledTimes(1);

    // Cut off after 10 characters: the reply now counts 30, so 100 after the second turn.
    const cutOff = await openVoiceSession();
    await cutOff.session.runTurn({ text: "u1" });
    await cutOff.session.recordInterruption(longReply.slice(0, 10));
    expect(cutOff.session.messages().map((message) => message.text)).toEqual(["u1", "r".repeat(10)]);
    await cutOff.session.runTurn({ text: "u2" });
    expect(cutOff.compact).not.toHaveBeenCalled();
  });

  it("the offline model summarises extractively, keeping the customer's own words", async () => {
    const model = createOfflineModel();
    const result = await model.doGenerate({
      prompt: [
        { role: "system", content: summaryInstruction },
        {
          role: "user",
          content: [
            {
              type: "text",
              text: "Conversation to add:\nCustomer (voice): My name is Ada\nAssistant (voice): Nice to meet you, Ada.\nCustomer (sms): I need a table",
            },
          ],
        },
      ],
    });
    const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
    expect(text).toBe("The customer said (voice): My name is Ada\nThe customer said (sms): I need a table");
  });
});
