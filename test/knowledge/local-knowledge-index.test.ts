import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createLocalKnowledgeIndex,
  type LocalKnowledgeIndex,
} from "../../src/knowledge/create-local-knowledge-index.js";
import { copySampleKnowledge, sampleKnowledgeDirectory, waitFor } from "./knowledge-test-helpers.js";

describe("local knowledge index over the sample set", () => {
  let index: LocalKnowledgeIndex;
  beforeAll(async () => {
    index = await createLocalKnowledgeIndex({ directory: sampleKnowledgeDirectory, cache: false });
  });
  afterAll(() => index.close());

  const ids = async (query: string, options?: Parameters<LocalKnowledgeIndex["search"]>[1]) =>
    (await index.search(query, options)).map((hit) => hit.record.id);

  it("ranks AIM312 first for 'SageMaker fine-tuning'", async () => {
    const hits = await index.search("SageMaker fine-tuning");
    expect(hits[0]?.record.id).toBe("session:AIM312");
    expect(hits[0]?.record.title).toBe("Fine-tuning foundation models with Amazon SageMaker");
    expect(hits[0]?.snippet.toLowerCase()).toContain("sagemaker");
    expect(hits[0]?.snippet.length).toBeLessThanOrEqual(165);
  });

  it("finds SageMaker sessions for the misspelling 'sagemkaer'", async () => {
    const hits = await index.search("sagemkaer", { limit: 5 });
    expect(hits).toHaveLength(5);
    for (const hit of hits) expect(hit.record.title).toMatch(/SageMaker/);
  });

  it("completes the prefix 'serverl' to Serverless sessions", async () => {
    const hits = await index.search("serverl", { limit: 5 });
    expect(hits).toHaveLength(5);
    for (const hit of hits) expect(hit.record.text).toMatch(/serverless/i);
  });

  it("finds a session by its code and by a speaker's name", async () => {
    expect((await ids("AIM312"))[0]).toBe("session:AIM312");
    expect((await ids("Priya Raman"))[0]).toBe("session:AIM312");
  });

  it("finds the re:Play party and FAQ answers", async () => {
    expect((await ids("re:Play party"))[0]).toBe("doc:events.md#replay-closing-party");
    expect((await ids("wifi password"))[0]).toBe("doc:faq.md#is-there-wi-fi");
    expect(await ids("guest re:Play")).toContain("faq:faq.csv#1");
  });

  it("filters to Thursday at Mandalay Bay, case-insensitively, and lists them by start time for an empty query", async () => {
    const hits = await index.search("", { filters: { day: "thursday", venue: "MANDALAY BAY" }, limit: 50 });
    expect(hits.length).toBeGreaterThanOrEqual(5);
    for (const hit of hits) {
      expect(hit.record.fields.day).toBe("Thursday");
      expect(hit.record.fields.venue).toBe("Mandalay Bay");
    }
    const startTimes = hits.map((hit) => String(hit.record.fields.startTime));
    expect(startTimes).toEqual([...startTimes].sort());
  });

  it("applies filters to a text query", async () => {
    const hits = await index.search("SageMaker", { filters: { day: "Thursday", venue: "Mandalay" } });
    expect(hits.map((hit) => hit.record.id)).toEqual(["session:AIM312", "session:AIM308"]);
  });

  it("lists everything across days in day order, then start time", async () => {
    const hits = await index.search("", { filters: { track: "AI/ML", kind: "session" }, limit: 50 });
    const order = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    const keys = hits.map(
      (hit) => `${order.indexOf(String(hit.record.fields.day))}|${hit.record.fields.startTime}`,
    );
    expect(keys.length).toBeGreaterThan(10);
    expect(keys).toEqual([...keys].sort());
  });

  it("applies an inclusive start-time range", async () => {
    const hits = await index.search("", {
      filters: { day: "Tuesday", startsAfter: "10:00", startsBefore: "13:00" },
      limit: 50,
    });
    expect(hits.length).toBeGreaterThan(0);
    const times = new Set(hits.map((hit) => hit.record.fields.startTime));
    expect([...times].sort()).toEqual(["10:00", "11:30", "13:00"]);
  });

  it("filters events by day and evening time", async () => {
    const hits = await index.search("party", { filters: { day: "Thursday", startsAfter: "17:00" } });
    expect(hits.map((hit) => hit.record.id)).toEqual(["doc:events.md#replay-closing-party"]);
  });

  it("returns nothing for an empty query without filters, and for no match", async () => {
    expect(await index.search("   ")).toEqual([]);
    expect(await index.search("SageMaker", { filters: { day: "Sunday" } })).toEqual([]);
  });

  it("gets a record by id and reports facets", async () => {
    const record = await index.get("session:AIM312");
    expect(record?.fields).toMatchObject({ day: "Thursday", venue: "Mandalay Bay", room: "Lagoon K" });
    expect(await index.get("session:NOPE999")).toBeUndefined();
    expect(index.facets().venues).toEqual([
      "Caesars Forum",
      "Encore",
      "MGM Grand",
      "Mandalay Bay",
      "Venetian",
      "Wynn",
    ]);
    expect(index.facets().days).toEqual(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]);
    expect(index.facets().tracks).toContain("AI/ML");
  });
});

describe("cache and reload", () => {
  let directory: { path: string; remove(): Promise<void> };
  let index: LocalKnowledgeIndex | undefined;
  beforeAll(async () => {
    directory = await copySampleKnowledge();
  });
  afterEach(async () => index?.close());
  afterAll(() => directory.remove());

  it("serves a repeated search from the cache, keyed by normalised query and filters", async () => {
    index = await createLocalKnowledgeIndex({ directory: directory.path, cache: { max: 10, ttlMs: 60_000 } });
    const first = await index.search("SageMaker fine-tuning", { filters: { day: "Thursday" } });
    const second = await index.search("  sagemaker   FINE-TUNING ", { filters: { day: "thursday" } });
    expect(second).toBe(first);
    expect(index.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
    await index.search("SageMaker fine-tuning", { filters: { day: "Friday" } });
    expect(index.stats()).toMatchObject({ hits: 1, misses: 2, size: 2 });
  });

  it("clears the cache on reload and serves the new files", async () => {
    index = await createLocalKnowledgeIndex({ directory: directory.path, cache: { max: 10, ttlMs: 60_000 } });
    expect(await index.search("zorbflax quinzel")).toEqual([]);
    await writeFile(join(directory.path, "extras.md"), "## Zorbflax quinzel\nOpen Wednesday at the Wynn.");
    expect(await index.search("zorbflax quinzel")).toEqual([]);
    expect(index.stats().hits).toBe(1);

    await index.reload();

    const hits = await index.search("zorbflax quinzel");
    expect(hits[0]?.record.id).toBe("doc:extras.md#zorbflax-quinzel");
    expect(index.stats()).toMatchObject({ misses: 2, reloads: 1 });
  });

  it("reloads by itself when a file in the folder changes (watch)", async () => {
    index = await createLocalKnowledgeIndex({ directory: directory.path, watch: true });
    const sizeBefore = index.size;
    expect(await index.search("vexlomatic")).toEqual([]);

    await writeFile(join(directory.path, "watched.txt"), "Vexlomatic tour\nMeet at the Encore lobby.");

    const watched = index;
    await waitFor(async () => (await watched.search("vexlomatic")).length > 0, "the watcher to reload");
    expect(index.size).toBe(sizeBefore + 1);
    expect(index.stats().reloads).toBeGreaterThanOrEqual(1);
  });

  it("keeps serving the old index when the folder disappears during a reload", async () => {
    const scratch = await copySampleKnowledge();
    index = await createLocalKnowledgeIndex({ directory: scratch.path, cache: false });
    const size = index.size;
    await scratch.remove();
    await expect(index.reload()).rejects.toMatchObject({ code: "KNOWLEDGE_DIRECTORY_UNREADABLE" });
    expect(index.size).toBe(size);
    expect((await index.search("AIM312"))[0]?.record.id).toBe("session:AIM312");
  });

  it("skips a malformed JSON file and loads the rest", async () => {
    const scratch = await copySampleKnowledge();
    try {
      const sessions = await readFile(join(scratch.path, "sessions.json"), "utf8");
      await writeFile(join(scratch.path, "sessions.json"), sessions.slice(0, 500));
      const warnings: unknown[][] = [];
      index = await createLocalKnowledgeIndex({
        directory: scratch.path,
        logger: { info() {}, warn: (...values) => warnings.push(values) },
      });
      expect(await index.get("session:AIM312")).toBeUndefined();
      expect((await index.search("re:Play party"))[0]?.record.id).toBe("doc:events.md#replay-closing-party");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.[0]).toMatchObject({ path: join(scratch.path, "sessions.json") });
    } finally {
      await scratch.remove();
    }
  });
});
