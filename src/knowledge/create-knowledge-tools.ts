import { z } from "zod";
import { type AgentTool, defineTool } from "../core/tools/agent-tool.js";
import { ToolError } from "../errors/tool-error.js";
import type { KnowledgeFilters, KnowledgeHit, KnowledgeSearch } from "../ports/knowledge-search.js";
import { extractKnowledgeFilters } from "./extract-knowledge-filters.js";
import { knowledgeStopWords } from "./knowledge-stop-words.js";
import { hasKnowledgeFilters } from "./matches-knowledge-filters.js";

/** Fields longer than this (abstracts, answers) are left to the snippet to keep results short. */
const maxFieldLength = 120;
/** Search text beyond this is condensed: a long spoken question searches by its distinct words. */
const maxSearchLength = 300;

/** A long question's distinct meaningful words, in order, within `maxSearchLength` characters. */
function condenseQuery(text: string): string {
  if (text.length <= maxSearchLength) return text;
  const words: string[] = [];
  const seen = new Set<string>();
  let length = 0;
  for (const raw of text.split(/\s+/)) {
    const word = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    const key = word.toLowerCase();
    if (word.length < 2 || knowledgeStopWords.has(key) || seen.has(key)) continue;
    if (length + word.length + 1 > maxSearchLength) break;
    seen.add(key);
    words.push(word);
    length += word.length + 1;
  }
  return words.join(" ");
}

export interface KnowledgeSearchResult {
  id: string;
  title: string;
  kind: string;
  fields: Record<string, string | number>;
  snippet: string;
}

export interface KnowledgeSearchOutput {
  results: KnowledgeSearchResult[];
  /** The ids to cite when answering from these results. */
  sourceIds: string[];
  /** Present when nothing matched. */
  note?: string;
}

const hhmm = z
  .string()
  .regex(/^\d{1,2}:\d{2}$/, "Use 24-hour HH:MM")
  .describe("24-hour HH:MM, inclusive");

const toResult = (hit: KnowledgeHit): KnowledgeSearchResult => {
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(hit.record.fields)) {
    if (key === "title" || String(value).length > maxFieldLength) continue;
    fields[key] = value;
  }
  return { id: hit.record.id, title: hit.record.title, kind: hit.record.kind, fields, snippet: hit.snippet };
};

/**
 * `search_knowledge` (conference sessions, venues, events and FAQ, with optional filters) and
 * `get_knowledge_record` (one record in full, by the id a search returned). Words in the query
 * such as "Thursday", "Mandalay Bay" or "after 3 pm" are turned into filters (explicit inputs
 * win); when those guessed filters leave nothing, the search is retried without them.
 */
export function createKnowledgeTools(
  search: KnowledgeSearch,
  known: { venues: string[]; tracks: string[] },
): AgentTool[] {
  const venues = known.venues.length > 0 ? ` Venues: ${known.venues.join(", ")}.` : "";
  const tracks = known.tracks.length > 0 ? ` Tracks: ${known.tracks.join(", ")}.` : "";

  const searchKnowledge = defineTool({
    name: "search_knowledge",
    description:
      "Search the conference knowledge base: sessions (title, speakers, day, time, venue, room), venues, evening events and FAQ. Use it before answering any question about the agenda or logistics, and cite the returned ids." +
      venues +
      tracks,
    inputSchema: z.object({
      query: z.string().max(4000).describe("What the customer asked about, e.g. 'SageMaker fine-tuning'"),
      day: z.string().max(20).optional().describe("Weekday name, e.g. Thursday"),
      venue: z.string().max(60).optional(),
      track: z.string().max(60).optional(),
      level: z
        .union([z.string().max(5), z.number().int()])
        .optional()
        .describe("100, 200, 300 or 400"),
      startsAfter: hhmm.optional(),
      startsBefore: hhmm.optional(),
      limit: z.number().int().min(1).max(10).optional().describe("At most 10; default 5"),
    }),
    async execute(input): Promise<KnowledgeSearchOutput> {
      const explicit: KnowledgeFilters = {};
      if (input.day) explicit.day = input.day;
      if (input.venue) explicit.venue = input.venue;
      if (input.track) explicit.track = input.track;
      if (input.level !== undefined) explicit.level = String(input.level);
      if (input.startsAfter) explicit.startsAfter = input.startsAfter;
      if (input.startsBefore) explicit.startsBefore = input.startsBefore;
      const extracted = extractKnowledgeFilters(input.query, known);
      extracted.query = condenseQuery(extracted.query);
      const filters = { ...extracted.filters, ...explicit };
      if (!extracted.query && !hasKnowledgeFilters(filters)) {
        throw new ToolError(
          "Give a few words to search for, or a filter such as a day or venue.",
          "EMPTY_QUERY",
        );
      }
      const limit = input.limit ?? 5;
      let hits = await search.search(extracted.query, { filters, limit });
      // Guessed filters can over-constrain ("wifi at the Venetian": the Wi-Fi answer has no venue):
      // retry without them, first with the topic words, then with the whole question.
      if (hits.length === 0 && hasKnowledgeFilters(extracted.filters)) {
        for (const retry of [extracted.query, input.query]) {
          if (hits.length === 0 && retry.trim())
            hits = await search.search(retry, { filters: explicit, limit });
        }
      }
      const results = hits.map(toResult);
      return {
        results,
        sourceIds: results.map((result) => result.id),
        ...(results.length === 0 ? { note: "Nothing matched. Say so rather than guessing." } : {}),
      };
    },
  });

  const getKnowledgeRecord = defineTool({
    name: "get_knowledge_record",
    description:
      "Read one knowledge record in full (e.g. a session's abstract) by an id from search_knowledge.",
    inputSchema: z.object({ id: z.string().min(1).max(200).describe("e.g. session:AIM312") }),
    async execute(input) {
      const record = await search.get(input.id);
      if (!record) {
        throw new ToolError(`No knowledge record with id ${input.id}.`, "KNOWLEDGE_RECORD_NOT_FOUND");
      }
      return record;
    },
  });

  return [searchKnowledge, getKnowledgeRecord];
}
