import type { KnowledgeFilters, KnowledgeRecord } from "../ports/knowledge-search.js";
import {
  type KnowledgeFilterView,
  matchesText,
  normalizeClockTime,
  type TextFilterKey,
  textFilterKeys,
  wantedText,
} from "./matches-knowledge-filters.js";
import { weekdayRank } from "./weekdays.js";

/** The start time as `HH:MM` (`9:30` → `09:30`), or `~` (after every time) when there is none. */
const startOf = (record: KnowledgeRecord): string => {
  const value = record.fields.startTime;
  return value === undefined ? "~" : normalizeClockTime(String(value)).padEnd(5, "~");
};

/** Day order, then start time, then title: the order a schedule is read in. */
export function compareBySchedule(left: KnowledgeRecord, right: KnowledgeRecord): number {
  return (
    weekdayRank(left.fields.day) - weekdayRank(right.fields.day) ||
    startOf(left).localeCompare(startOf(right)) ||
    left.title.localeCompare(right.title)
  );
}

export interface ScheduleListing {
  /** The first `limit` records the predicate accepts, in schedule order. */
  list(
    filters: KnowledgeFilters,
    predicate: (view: KnowledgeFilterView) => boolean,
    limit: number,
  ): KnowledgeRecord[];
}

/**
 * Records sorted once in schedule order, with the positions of each value of each text filter
 * (day, venue, track, level). A listing walks only the records whose value matches the first text
 * filter set (all of them when none is), and stops at `limit`.
 */
export function createScheduleListing(
  entries: ReadonlyArray<{ record: KnowledgeRecord; view: KnowledgeFilterView }>,
): ScheduleListing {
  const sorted = [...entries].sort((left, right) => compareBySchedule(left.record, right.record));
  const positions = new Map<TextFilterKey, Map<string, number[]>>(
    textFilterKeys.map((key) => [key, new Map()]),
  );
  sorted.forEach(({ view }, position) => {
    for (const key of textFilterKeys) {
      const value = view.text[key];
      if (value === undefined) continue;
      const byValue = positions.get(key) as Map<string, number[]>;
      const list = byValue.get(value);
      if (list) list.push(position);
      else byValue.set(value, [position]);
    }
  });

  const candidates = (filters: KnowledgeFilters): number[] | undefined => {
    for (const key of textFilterKeys) {
      const wanted = wantedText(filters, key);
      if (wanted === undefined) continue;
      const found: number[] = [];
      let buckets = 0;
      for (const [value, list] of positions.get(key) as Map<string, number[]>) {
        if (!matchesText(value, wanted)) continue;
        for (const position of list) found.push(position);
        buckets++;
      }
      if (buckets > 1) found.sort((left, right) => left - right);
      return found;
    }
    return undefined;
  };

  return {
    list(filters, predicate, limit) {
      const matching: KnowledgeRecord[] = [];
      const accept = (position: number): boolean => {
        const entry = sorted[position] as (typeof sorted)[number];
        if (predicate(entry.view)) matching.push(entry.record);
        return matching.length === limit;
      };
      const narrowed = candidates(filters);
      if (narrowed) {
        for (const position of narrowed) if (accept(position)) break;
      } else {
        for (let position = 0; position < sorted.length; position++) if (accept(position)) break;
      }
      return matching;
    },
  };
}
