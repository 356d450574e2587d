import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentTool, ToolContext } from "../../src/core/tools/agent-tool.js";
import { createToolSet } from "../../src/core/tools/tool-set.js";
import { ToolError } from "../../src/errors/tool-error.js";
import type { KnowledgeSearchOutput } from "../../src/knowledge/create-knowledge-tools.js";
import { createKnowledgeTools } from "../../src/knowledge/create-knowledge-tools.js";
import {
  createLocalKnowledgeIndex,
  type LocalKnowledgeIndex,
} from "../../src/knowledge/create-local-knowledge-index.js";
import { knownFacets } from "../../src/knowledge/known-facets.js";
import type { KnowledgeSearch } from "../../src/ports/knowledge-search.js";
import { sampleKnowledgeDirectory } from "./knowledge-test-helpers.js";

const context: ToolContext = {
  conversationId: "conversation-1",
  customerId: null,
  channel: "voice",
  turnId: "turn-1",
  toolCallId: "call-1",
  abortSignal: new AbortController().signal,
  requestChannelAction() {},
};

/** Runs a tool the way the agent does: validate the input with its schema, then execute. */
async function run(tool: AgentTool | undefined, input: unknown): Promise<unknown> {
  if (!tool) throw new Error("tool missing");
  return tool.execute(tool.inputSchema.parse(input), context);
}

describe("knowledge tools", () => {
  let index: LocalKnowledgeIndex;
  let tools: AgentTool[];
  const tool = (name: string) => tools.find((candidate) => candidate.name === name);

  beforeAll(async () => {
    index = await createLocalKnowledgeIndex({ directory: sampleKnowledgeDirectory });
    tools = createKnowledgeTools(index, knownFacets(index));
  });
  afterAll(() => index.close());

  it("declares JSON schemas the model can use", () => {
    const toolSet = createToolSet(tools);
    expect(toolSet.names).toEqual(["search_knowledge", "get_knowledge_record"]);
    const [search] = toolSet.declarationsFor("voice");
    expect(search?.inputSchema).toMatchObject({
      type: "object",
      required: ["query"],
      properties: { limit: { maximum: 10 } },
    });
    expect(search?.description).toContain("Mandalay Bay");
  });

  it("returns compact results and their source ids", async () => {
    const output = (await run(tool("search_knowledge"), {
      query: "SageMaker fine-tuning",
      limit: 3,
    })) as KnowledgeSearchOutput;
    expect(output.results).toHaveLength(3);
    expect(output.sourceIds).toEqual(output.results.map((result) => result.id));
    const [first] = output.results;
    expect(Object.keys(first ?? {}).sort()).toEqual(["fields", "id", "kind", "snippet", "title"]);
    expect(first).toMatchObject({
      id: "session:AIM312",
      kind: "session",
      title: "Fine-tuning foundation models with Amazon SageMaker",
      fields: {
        day: "Thursday",
        startTime: "10:00",
        venue: "Mandalay Bay",
        room: "Lagoon K",
        speakers: "Priya Raman, Daniel Okafor",
      },
    });
    expect(first?.fields.abstract).toBeUndefined();
    expect(output.note).toBeUndefined();
  });

  it("answers a long rambling question by its distinct words", async () => {
    const question =
      "So I'm at the conference this week and I was wondering, because my colleague told me about it and " +
      "I forgot to write it down, and I really don't want to miss it this time since last year I missed it, " +
      "and honestly it was the thing everybody was talking about over breakfast with the whole team, " +
      "when exactly is the re:Play party happening and where is it, and do I need my badge to get in?";
    expect(question.length).toBeGreaterThan(300);
    const output = (await run(tool("search_knowledge"), { query: question })) as KnowledgeSearchOutput;
    expect(output.results.map((result) => result.id)).toContain("doc:events.md#replay-closing-party");
  });

  it("turns words in the query into filters, and explicit inputs win", async () => {
    const output = (await run(tool("search_knowledge"), {
      query: "SageMaker sessions at Mandalay Bay on Thursday",
      limit: 10,
    })) as KnowledgeSearchOutput;
    expect(output.sourceIds).toEqual(["session:AIM312", "session:AIM308"]);

    const explicit = (await run(tool("search_knowledge"), {
      query: "SageMaker sessions on Thursday",
      day: "Wednesday",
      limit: 10,
    })) as KnowledgeSearchOutput;
    expect(explicit.results.length).toBeGreaterThan(0);
    for (const result of explicit.results) expect(result.fields.day).toBe("Wednesday");
  });

  it("searches again without guessed filters when they leave nothing", async () => {
    const output = (await run(tool("search_knowledge"), {
      query: "Is there wifi at the Venetian?",
    })) as KnowledgeSearchOutput;
    expect(output.sourceIds[0]).toBe("doc:faq.md#is-there-wi-fi");
  });

  it("says so when nothing matches, and refuses an empty request", async () => {
    const output = (await run(tool("search_knowledge"), {
      query: "zorbflax",
      day: "Sunday",
    })) as KnowledgeSearchOutput;
    expect(output).toMatchObject({ results: [], sourceIds: [], note: expect.any(String) });
    await expect(run(tool("search_knowledge"), { query: "what is" })).rejects.toBeInstanceOf(ToolError);
    expect(() => tool("search_knowledge")?.inputSchema.parse({ query: "x", limit: 11 })).toThrow();
  });

  it("gets a full record, or a ToolError for an unknown id", async () => {
    const record = await run(tool("get_knowledge_record"), { id: "session:AIM312" });
    expect(record).toMatchObject({
      id: "session:AIM312",
      fields: { abstract: expect.stringContaining("LoRA") },
    });
    await expect(run(tool("get_knowledge_record"), { id: "session:NOPE999" })).rejects.toMatchObject({
      name: "ToolError",
      code: "KNOWLEDGE_RECORD_NOT_FOUND",
    });
  });

  it("knownFacets gives empty lists for a backend without facets", () => {
    const bare: KnowledgeSearch = {
      name: "bare",
      search: async () => [],
      get: async () => undefined,
      close: async () => {},
    };
    expect(knownFacets(bare)).toEqual({ venues: [], tracks: [], days: [] });
  });
});
