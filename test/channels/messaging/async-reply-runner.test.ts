import { afterEach, describe, expect, it, vi } from "vitest";
import { createScriptedModel, type ScriptedModel } from "../../../src/testing/create-scripted-model.js";
import { eventually, postForm, startTestServer, type TestServer } from "../../helpers/start-test-server.js";

const customer = "+14155550123";

describe("AsyncReplyRunner session reuse", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function sms(messageSid: string, body: string) {
    const response = await postForm(`${server!.baseUrl}/twilio/sms`, {
      MessageSid: messageSid,
      From: customer,
      To: "+18885550100",
      Body: body,
    });
    expect(response.status).toBe(200);
  }

  const promptTexts = (model: ScriptedModel, call: number) =>
    (model.calls[call]?.prompt ?? []).flatMap((message) =>
      typeof message.content === "string"
        ? []
        : message.content.flatMap((part) => (part.type === "text" ? [part.text] : [])),
    );

  it("answers the next SMS of a conversation from the kept session, reading two messages, not the history", async () => {
    const model = createScriptedModel([{ text: ["First answer."] }, { text: ["Second answer."] }]);
    server = await startTestServer({}, { model });
    const listMessages = vi.spyOn(server.app.store, "listMessages");

    await sms("SMreuse1", "First question");
    await eventually(() => (model.calls.length === 1 ? true : undefined), "first reply");
    await server.app.replies.idle();
    const historyReads = () =>
      listMessages.mock.calls.filter(([, options]) => (options?.limit ?? 0) > 3).length;
    expect(historyReads()).toBe(1);

    await sms("SMreuse2", "Second question");
    await eventually(() => (model.calls.length === 2 ? true : undefined), "second reply");
    await server.app.replies.idle();
    expect(historyReads()).toBe(1); // the second reply reused the session
    expect(promptTexts(model, 1)).toEqual(
      expect.arrayContaining(["First question", "First answer.", "Second question"]),
    );
  });

  it("reloads when something else was written to the conversation in between", async () => {
    const model = createScriptedModel([{ text: ["First answer."] }, { text: ["Second answer."] }]);
    server = await startTestServer({}, { model });
    await sms("SMreload1", "First question");
    await eventually(() => (model.calls.length === 1 ? true : undefined), "first reply");
    await server.app.replies.idle();

    // Another channel (here, directly the store) adds to the same conversation.
    const [conversation] = await server.app.store.listConversations({ limit: 1 });
    expect(conversation).toBeDefined();
    await server.app.store.appendMessage({
      conversationId: conversation!.id,
      role: "assistant",
      channel: "voice",
      text: "Said on a call in between.",
    });

    await sms("SMreload2", "Second question");
    await eventually(() => (model.calls.length === 2 ? true : undefined), "second reply");
    expect(promptTexts(model, 1).join(" ")).toContain("Said on a call in between.");
  });
});
