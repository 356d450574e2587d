import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildKnowledgeSearchIndex,
  type KnowledgeSearchIndex,
} from "../../src/knowledge/build-knowledge-search-index.js";
import { silentKnowledgeLogger } from "../../src/knowledge/knowledge-logger.js";
import { loadKnowledgeDirectory } from "../../src/knowledge/load-knowledge-directory.js";
import { compileKnowledgeFilters } from "../../src/knowledge/matches-knowledge-filters.js";
import type { KnowledgeFilters, KnowledgeRecord } from "../../src/ports/knowledge-search.js";

const session = (id: string, fields: Record<string, string>, text = "A session."): KnowledgeRecord => ({
  id,
  kind: "session",
  title: `Session ${id}`,
  text,
  fields,
  source: "test",
});

describe("knowledge search index: listings by filter", () => {
  const records = [
    session("b", { day: "Tuesday", venue: "Mandalay Beach", startTime: "09:00" }),
    session("a", { day: "Monday", venue: "Mandalay Bay", startTime: "14:00" }),
    session("c", { day: "Monday", venue: "Mandalayx", startTime: "08:00" }),
    session("d", { day: "Monday", venue: "Mandalay Bay", startTime: "9:30" }),
    session("e", { day: "Monday", startTime: "07:00" }),
    session("f", { day: "Tuesday", venue: "mandalay", startTime: "08:00" }),
  ];
  const index = buildKnowledgeSearchIndex(records);
  const ids = (filters: KnowledgeFilters, limit = 50) =>
    index.search("", { filters, limit }).map((hit) => hit.record.id);

  it("takes every value a text filter matches as a word, in schedule order across them (9:30 before 14:00)", () => {
    // "Mandalay" is "Mandalay Bay", "Mandalay Beach" and "mandalay"; not "Mandalayx", not a record without a venue.
    expect(ids({ venue: "Mandalay" })).toEqual(["d", "a", "f", "b"]);
    expect(ids({ venue: "mandalay bay" })).toEqual(["d", "a"]);
  });

  it("stops at the limit and combines the other filters", () => {
    expect(ids({ venue: "Mandalay" }, 3)).toEqual(["d", "a", "f"]);
    expect(ids({ venue: "Mandalay", day: "tuesday" })).toEqual(["f", "b"]);
    expect(ids({ startsAfter: "08:00", startsBefore: "10:00" })).toEqual(["c", "d", "f", "b"]);
    expect(ids({ kind: "venue" })).toEqual([]);
  });
});

describe("knowledge search index: words", () => {
  const records = [
    session("ai", {}, "Generative AI for call centers."),
    session("aisle", {}, "Find the aisle seats near the stage."),
    session("cloud", {}, "Cloud cost control."),
  ];
  const index = buildKnowledgeSearchIndex(records);
  const ids = (query: string) => index.search(query).map((hit) => hit.record.id);

  it("does not complete a two-letter word as a prefix; longer words are completed", () => {
    expect(ids("AI")).toEqual(["ai"]);
    expect(ids("aisl")).toEqual(["aisle"]);
  });

  it("a one-word query with fewer matches than the limit returns just those", () => {
    expect(ids("cloud")).toEqual(["cloud"]);
  });
});

describe("knowledge search index: filters while scoring", () => {
  let index: KnowledgeSearchIndex;
  beforeAll(async () => {
    const directory = fileURLToPath(new URL("../../knowledge", import.meta.url));
    index = buildKnowledgeSearchIndex(await loadKnowledgeDirectory(directory, silentKnowledgeLogger));
  });

  const queries = [
    "SageMaker",
    "serverless observability",
    "database",
    "party",
    "sagemkaer",
    "workshop Lambda",
  ];
  const filterSets: KnowledgeFilters[] = [
    { day: "Thursday" },
    { venue: "Mandalay" },
    { startsAfter: "12:00" },
    { day: "tuesday", startsBefore: "11:00" },
    { track: "AI" },
    { kind: "faq" },
  ];

  it("gives the ranking of the unfiltered search with the refused records taken out", () => {
    let compared = 0;
    for (const query of queries) {
      const everything = index.search(query, { limit: 50 });
      expect(everything.length).toBeLessThan(50);
      for (const filters of filterSets) {
        const matches = compileKnowledgeFilters(filters) as (record: KnowledgeRecord) => boolean;
        const expected = everything.filter((hit) => matches(hit.record)).slice(0, 5);
        const actual = index.search(query, { filters, limit: 5 });
        expect(actual.map((hit) => [hit.record.id, hit.score])).toEqual(
          expected.map((hit) => [hit.record.id, hit.score]),
        );
        compared += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(40);
  });
});
