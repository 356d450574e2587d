import { BedrockAgentRuntimeClient } from "@aws-sdk/client-bedrock-agent-runtime";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBedrockKnowledgeBase } from "../../src/knowledge/create-bedrock-knowledge-base.js";
import type { KnowledgeSearch } from "../../src/ports/knowledge-search.js";
import {
  createFakeBedrockKnowledgeBaseServer,
  type FakeBedrockKnowledgeBaseServer,
} from "../../src/testing/create-fake-bedrock-kb-server.js";

const sessionResult = {
  content: {
    type: "TEXT" as const,
    text: "AIM312: Fine-tuning foundation models with Amazon SageMaker. Thursday 10:00 at Mandalay Bay, Lagoon K.",
  },
  location: { type: "S3" as const, s3Location: { uri: "s3://conference-kb/sessions/AIM312.txt" } },
  score: 0.87,
  metadata: {
    id: "session:AIM312",
    kind: "session",
    title: "Fine-tuning foundation models with Amazon SageMaker",
    day: "Thursday",
    venue: "Mandalay Bay",
    startTime: "10:00",
    level: 300,
    speakers: ["Priya Raman", "Daniel Okafor"],
    "x-amz-bedrock-kb-source-uri": "s3://conference-kb/sessions/AIM312.txt",
    "x-amz-bedrock-kb-chunk-id": "1%3A0%3Aabc",
  },
};
const faqResult = {
  content: {
    type: "TEXT" as const,
    text: "Free Wi-Fi: join Conference-WiFi; the password is on your badge.",
  },
  location: { type: "S3" as const, s3Location: { uri: "s3://conference-kb/faq/wifi.md" } },
  score: 0.42,
};

describe("Bedrock knowledge base adapter (against the fake Retrieve API)", () => {
  let server: FakeBedrockKnowledgeBaseServer;
  let client: BedrockAgentRuntimeClient;
  let knowledgeBase: KnowledgeSearch;

  beforeAll(async () => {
    server = await createFakeBedrockKnowledgeBaseServer({ knowledgeBaseIds: ["KB12345678"] });
    client = new BedrockAgentRuntimeClient({
      region: "us-east-1",
      endpoint: server.url,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
    knowledgeBase = createBedrockKnowledgeBase({ knowledgeBaseId: "KB12345678", client, numberOfResults: 4 });
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.setResults([sessionResult, faqResult]);
  });
  afterAll(async () => {
    await knowledgeBase.close();
    client.destroy();
    await server.close();
  });

  it("sends the query and numberOfResults, signed, and maps the results to hits", async () => {
    const hits = await knowledgeBase.search("SageMaker fine-tuning");

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.knowledgeBaseId).toBe("KB12345678");
    expect(request?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\//);
    expect(request?.body).toEqual({
      retrievalQuery: { text: "SageMaker fine-tuning" },
      retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 4 } },
    });

    expect(hits).toHaveLength(2);
    expect(hits[0]).toMatchObject({
      score: 0.87,
      record: {
        id: "session:AIM312",
        kind: "session",
        title: "Fine-tuning foundation models with Amazon SageMaker",
        source: "s3://conference-kb/sessions/AIM312.txt",
        fields: {
          id: "session:AIM312",
          day: "Thursday",
          venue: "Mandalay Bay",
          level: 300,
          speakers: "Priya Raman, Daniel Okafor",
        },
      },
    });
    expect(Object.keys(hits[0]?.record.fields ?? {}).some((key) => key.startsWith("x-amz-bedrock-kb"))).toBe(
      false,
    );
    expect(hits[0]?.snippet).toContain("SageMaker");
    expect(hits[1]?.record).toMatchObject({
      id: "s3://conference-kb/faq/wifi.md",
      kind: "document",
      title: "wifi.md",
      source: "s3://conference-kb/faq/wifi.md",
    });
  });

  it("sends one filter as `equals` and several as `andAll`, with limit as numberOfResults", async () => {
    await knowledgeBase.search("SageMaker", { filters: { day: "thursday" }, limit: 2 });
    await knowledgeBase.search("SageMaker", {
      filters: { day: "Thursday", venue: "Mandalay Bay", level: "300" },
    });

    expect(server.requests[0]?.body.retrievalConfiguration).toEqual({
      vectorSearchConfiguration: {
        numberOfResults: 2,
        filter: { equals: { key: "day", value: "Thursday" } },
      },
    });
    expect(server.requests[1]?.body.retrievalConfiguration?.vectorSearchConfiguration?.filter).toEqual({
      andAll: [
        { equals: { key: "day", value: "Thursday" } },
        { equals: { key: "venue", value: "Mandalay Bay" } },
        { equals: { key: "level", value: 300 } },
      ],
    });
  });

  it("applies kind and start-time filters to the returned results", async () => {
    const hits = await knowledgeBase.search("anything at ten", {
      filters: { startsAfter: "09:00", kind: "session" },
    });
    expect(hits.map((hit) => hit.record.id)).toEqual(["session:AIM312"]);
    expect(
      server.requests[0]?.body.retrievalConfiguration?.vectorSearchConfiguration?.filter,
    ).toBeUndefined();
  });

  it("searches the filter values when the query is empty, and does not call out for nothing", async () => {
    await knowledgeBase.search("", { filters: { day: "Thursday", venue: "Mandalay Bay" } });
    expect(server.requests[0]?.body.retrievalQuery).toEqual({ text: "Thursday Mandalay Bay" });
    expect(await knowledgeBase.search("  ")).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it("does not support get(id)", async () => {
    expect(await knowledgeBase.get("session:AIM312")).toBeUndefined();
  });

  it("turns service errors into a SwitchboardError, retryable when throttled", async () => {
    server.failNext({ status: 429, errorType: "ThrottlingException", message: "Rate exceeded" });
    await expect(knowledgeBase.search("SageMaker")).rejects.toMatchObject({
      code: "KNOWLEDGE_SEARCH_FAILED",
      retryable: true,
      cause: { name: "ThrottlingException" },
    });
    const unknown = createBedrockKnowledgeBase({ knowledgeBaseId: "MISSING", client });
    await expect(unknown.search("SageMaker")).rejects.toMatchObject({
      code: "KNOWLEDGE_SEARCH_FAILED",
      retryable: false,
      cause: { name: "ResourceNotFoundException" },
    });
  });
});
