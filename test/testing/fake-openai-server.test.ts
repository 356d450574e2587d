import { afterEach, describe, expect, it } from "vitest";
import {
  createFakeOpenAiServer,
  type FakeOpenAiServer,
} from "../../src/testing/create-fake-openai-server.js";

async function streamedText(url: string): Promise<string> {
  const response = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "Hi" }] }),
  });
  expect(response.status).toBe(200);
  let text = "";
  for (const line of (await response.text()).split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const event = JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> };
    text += event.choices[0]?.delta?.content ?? "";
  }
  return text;
}

describe("createFakeOpenAiServer", () => {
  let fake: FakeOpenAiServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it("keeps every request by default", async () => {
    fake = await createFakeOpenAiServer({ tokens: ["a", "b"] });
    expect(await streamedText(fake.url)).toBe("ab");
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body).toMatchObject({ model: "m", stream: true });
  });

  it("answers the same but keeps nothing with recordRequests: false (a load test's fake)", async () => {
    fake = await createFakeOpenAiServer({ tokens: ["a", "b"] }, { recordRequests: false });
    expect(await streamedText(fake.url)).toBe("ab");
    expect(await streamedText(fake.url)).toBe("ab");
    expect(fake.requests).toHaveLength(0);
  });
});
