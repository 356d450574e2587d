import MiniSearch, { type SearchOptions, type SearchResult } from "minisearch";
import type { KnowledgeHit, KnowledgeRecord, KnowledgeSearchOptions } from "../ports/knowledge-search.js";
import { type KnowledgeLogger, silentKnowledgeLogger } from "./knowledge-logger.js";
import { knowledgeStopWords } from "./knowledge-stop-words.js";
import { makeSnippet } from "./make-snippet.js";
import {
  compileKnowledgeFilterView,
  type KnowledgeFilterView,
  knowledgeFilterView,
} from "./matches-knowledge-filters.js";
import { createScheduleListing, type ScheduleListing } from "./schedule-listing.js";
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

/** The distinct words of a query that are searched for (none: nothing to search). */
function searchTermsOf(query: string): Set<string> {
  const terms = new Set<string>();
  for (const token of query.split(tokenPattern)) {
    const term = token ? processTerm(token) : null;
    if (term !== null) terms.add(term);
  }
  return terms;
}

const fieldText = (record: KnowledgeRecord, key: string): string => {
  const value = record.fields[key];
  return value === undefined ? "" : String(value);
};

const clampLimit = (limit: number | undefined): number =>
  Math.max(1, Math.min(maxKnowledgeSearchLimit, Math.floor(limit ?? defaultKnowledgeSearchLimit)));

/**
 * Builds a BM25 index (minisearch) over the records: fuzzy (0.2) and prefix matching (words of
 * three letters or more), title and session code ×3, speakers/venue/track ×2, text ×1. A search
 * first requires every query word (AND); when that finds fewer than `limit` records and the query
 * has more than one word, records matching any word (OR) fill the rest. Filters run while
 * minisearch scores (a refused record is never scored), on each record's filter view, normalised
 * once here. An empty query with filters lists the matching records in schedule order (see
 * `createScheduleListing`). Later records with an already-seen id are skipped with a warning.
 */
export function buildKnowledgeSearchIndex(
  records: readonly KnowledgeRecord[],
  logger: KnowledgeLogger = silentKnowledgeLogger,
): KnowledgeSearchIndex {
  // Each record with what the filters read of it, normalised once.
  const byId = new Map<string, { record: KnowledgeRecord; view: KnowledgeFilterView }>();
  for (const record of records) {
    if (byId.has(record.id)) {
      logger.warn({ id: record.id, source: record.source }, "knowledge: skipping record with a duplicate id");
      continue;
    }
    byId.set(record.id, { record, view: knowledgeFilterView(record) });
  }
  let schedule: ScheduleListing | undefined;
  const miniSearch = new MiniSearch<IndexedDocument>({
    fields: [...searchedFields],
    storeFields: [],
    processTerm,
    // Prefix matches (a word cut short) weigh more than fuzzy ones (a misspelling), so "serverl"
    // ranks "serverless" above "server". Words of one or two letters ("re", "ai") are not completed:
    // they would match a large part of the vocabulary, slowly, and mostly noise.
    searchOptions: {
      boost: fieldBoosts,
      fuzzy: 0.2,
      prefix: (term: string) => term.length > 2,
      weights: { fuzzy: 0.3, prefix: 0.5 },
    },
  });
  miniSearch.addAll(
    [...byId.values()].map(({ record }) => ({
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
    get: (id) => byId.get(id)?.record,
    search(query, options = {}) {
      const limit = clampLimit(options.limit);
      const predicate = compileKnowledgeFilterView(options.filters);
      const terms = searchTermsOf(query);
      if (terms.size === 0) {
        if (!predicate) return [];
        schedule ??= createScheduleListing([...byId.values()]);
        return schedule.list(options.filters ?? {}, predicate, limit).map((record) => toHit(record, 0, []));
      }
      // The filter runs inside minisearch's scoring: a record it refuses is never scored or collected.
      const boostDocument: SearchOptions["boostDocument"] = predicate
        ? (id) => {
            const entry = byId.get(String(id));
            return entry !== undefined && predicate(entry.view) ? 1 : 0;
          }
        : undefined;
      let results: SearchResult[] = miniSearch.search(query, { combineWith: "AND", boostDocument });
      if (results.length < limit && terms.size > 1) {
        const seen = new Set(results.map((result) => result.id));
        const loose = miniSearch.search(query, { combineWith: "OR", boostDocument });
        results = results.concat(loose.filter((result) => !seen.has(result.id)));
      }
      const hits: KnowledgeHit[] = [];
      for (const result of results.slice(0, limit)) {
        const record = byId.get(String(result.id))?.record;
        if (record) hits.push(toHit(record, result.score, result.terms));
      }
      return hits;
    },
    facets() {
      if (facets) return facets;
      const venues = new Set<string>();
      const tracks = new Set<string>();
      const days = new Set<string>();
      for (const { record } of byId.values()) {
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
