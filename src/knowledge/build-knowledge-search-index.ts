import MiniSearch, { type SearchOptions, type SearchResult } from "minisearch";
import type { KnowledgeHit, KnowledgeRecord, KnowledgeSearchOptions } from "../ports/knowledge-search.js";
import { type KnowledgeLogger, silentKnowledgeLogger } from "./knowledge-logger.js";
import { knowledgeStopWords } from "./knowledge-stop-words.js";
import { makeSnippet } from "./make-snippet.js";
import { compileKnowledgeFilters } from "./matches-knowledge-filters.js";
import { weekdayRank } from "./weekdays.js";

export const defaultKnowledgeSearchLimit = 5;
const maxKnowledgeSearchLimit = 50;

/** The values the records actually hold, for query understanding and tool descriptions. */
export interface KnowledgeFacets {
  venues: string[];
  tracks: string[];
  /** In weekday order. */
  days: string[];
}

/** An immutable, in-memory search index over a fixed set of records. */
export interface KnowledgeSearchIndex {
  readonly size: number;
  search(query: string, options?: KnowledgeSearchOptions): KnowledgeHit[];
  get(id: string): KnowledgeRecord | undefined;
  facets(): KnowledgeFacets;
}

interface IndexedDocument {
  id: string;
  code: string;
  title: string;
  text: string;
  speakers: string;
  venue: string;
  track: string;
}

const searchedFields = ["code", "title", "text", "speakers", "venue", "track"] as const;
const fieldBoosts = { code: 3, title: 3, text: 1, speakers: 2, venue: 2, track: 2 };
const tokenPattern = /[\n\r\p{Z}\p{P}]+/u;

/** Lower-cases a token and drops stop words and single letters (same rule for index and query). */
function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (knowledgeStopWords.has(lower) || (lower.length < 2 && !/\d/.test(lower))) return null;
  return lower;
}

/** True when the query has at least one word that is searched for. */
export function hasSearchTerms(query: string): boolean {
  return query.split(tokenPattern).some((token) => token && processTerm(token) !== null);
}

const fieldText = (record: KnowledgeRecord, key: string): string => {
  const value = record.fields[key];
  return value === undefined ? "" : String(value);
};

/** Day order, then start time, then title: the order a schedule is read in. */
export function compareBySchedule(left: KnowledgeRecord, right: KnowledgeRecord): number {
  return (
    weekdayRank(left.fields.day) - weekdayRank(right.fields.day) ||
    fieldText(left, "startTime").padEnd(5, "~").localeCompare(fieldText(right, "startTime").padEnd(5, "~")) ||
    left.title.localeCompare(right.title)
  );
}

const clampLimit = (limit: number | undefined): number =>
  Math.max(1, Math.min(maxKnowledgeSearchLimit, Math.floor(limit ?? defaultKnowledgeSearchLimit)));

/**
 * Builds a BM25 index (minisearch) over the records: fuzzy (0.2) and prefix matching, title and
 * session code ×3, speakers/venue/track ×2, text ×1. A search first requires every query word
 * (AND); when that finds fewer than `limit` records, records matching any word (OR) fill the rest.
 * Filters are applied inside minisearch. An empty query with filters lists every matching record
 * in schedule order. Later records with an already-seen id are skipped with a warning.
 */
export function buildKnowledgeSearchIndex(
  records: readonly KnowledgeRecord[],
  logger: KnowledgeLogger = silentKnowledgeLogger,
): KnowledgeSearchIndex {
  const byId = new Map<string, KnowledgeRecord>();
  for (const record of records) {
    if (byId.has(record.id)) {
      logger.warn({ id: record.id, source: record.source }, "knowledge: skipping record with a duplicate id");
      continue;
    }
    byId.set(record.id, record);
  }
  const miniSearch = new MiniSearch<IndexedDocument>({
    fields: [...searchedFields],
    storeFields: [],
    processTerm,
    // Prefix matches (a word cut short) weigh more than fuzzy ones (a misspelling), so "serverl"
    // ranks "serverless" above "server".
    searchOptions: { boost: fieldBoosts, fuzzy: 0.2, prefix: true, weights: { fuzzy: 0.3, prefix: 0.5 } },
  });
  miniSearch.addAll(
    [...byId.values()].map((record) => ({
      id: record.id,
      code: fieldText(record, "id"),
      title: record.title,
      text: record.text,
      speakers: fieldText(record, "speakers"),
      venue: fieldText(record, "venue"),
      track: fieldText(record, "track"),
    })),
  );

  const toHit = (record: KnowledgeRecord, score: number, terms: readonly string[]): KnowledgeHit => ({
    record,
    score,
    snippet: makeSnippet(record.text, terms),
  });

  let facets: KnowledgeFacets | undefined;

  return {
    size: byId.size,
    get: (id) => byId.get(id),
    search(query, options = {}) {
      const limit = clampLimit(options.limit);
      const predicate = compileKnowledgeFilters(options.filters);
      if (!hasSearchTerms(query)) {
        if (!predicate) return [];
        const matching: KnowledgeRecord[] = [];
        for (const record of byId.values()) if (predicate(record)) matching.push(record);
        return matching
          .sort(compareBySchedule)
          .slice(0, limit)
          .map((record) => toHit(record, 0, []));
      }
      const filter: SearchOptions["filter"] = predicate
        ? (result) => {
            const record = byId.get(String(result.id));
            return record !== undefined && predicate(record);
          }
        : undefined;
      let results: SearchResult[] = miniSearch.search(query, { combineWith: "AND", filter });
      if (results.length < limit) {
        const seen = new Set(results.map((result) => result.id));
        const loose = miniSearch.search(query, { combineWith: "OR", filter });
        results = results.concat(loose.filter((result) => !seen.has(result.id)));
      }
      const hits: KnowledgeHit[] = [];
      for (const result of results.slice(0, limit)) {
        const record = byId.get(String(result.id));
        if (record) hits.push(toHit(record, result.score, result.terms));
      }
      return hits;
    },
    facets() {
      if (facets) return facets;
      const venues = new Set<string>();
      const tracks = new Set<string>();
      const days = new Set<string>();
      for (const record of byId.values()) {
        if (record.fields.venue !== undefined) venues.add(String(record.fields.venue));
        if (record.fields.track !== undefined) tracks.add(String(record.fields.track));
        if (record.fields.day !== undefined) days.add(String(record.fields.day));
      }
      facets = {
        venues: [...venues].sort(),
        tracks: [...tracks].sort(),
        days: [...days].sort((left, right) => weekdayRank(left) - weekdayRank(right)),
      };
      return facets;
    },
  };
}
