import type { KnowledgeFilters, KnowledgeRecord } from "../ports/knowledge-search.js";

/** `9:5`, `9:05`, `09:05` → `09:05`; anything else is returned trimmed. */
export function normalizeClockTime(value: string): string {
  const match = /^(\d{1,2}):(\d{1,2})$/.exec(value.trim());
  if (!match) return value.trim();
  return `${match[1]?.padStart(2, "0")}:${match[2]?.padStart(2, "0")}`;
}

export const textFilterKeys = ["day", "venue", "track", "level"] as const;
export type TextFilterKey = (typeof textFilterKeys)[number];

/** A filter's value, as compared: trimmed and lower-cased; undefined when the filter is not set. */
export function wantedText(filters: KnowledgeFilters, key: TextFilterKey): string | undefined {
  const value = filters[key];
  return value === undefined || value === "" ? undefined : String(value).trim().toLowerCase();
}

/** A lower-cased field value matches a wanted text when it is that text or starts with it as a word. */
export function matchesText(actual: string, wanted: string): boolean {
  if (actual === wanted) return true;
  if (actual.length <= wanted.length || !actual.startsWith(wanted)) return false;
  const next = actual[wanted.length];
  return next === " " || next === "/";
}

/**
 * What the filters read of a record, normalised once: lower-cased kind and text fields, the start
 * time as `HH:MM`. A search index keeps one per record so a filter costs a few string compares.
 */
export interface KnowledgeFilterView {
  kind: string;
  text: Partial<Record<TextFilterKey, string>>;
  /** Undefined when the record has no string `startTime`. */
  startTime: string | undefined;
}

export function knowledgeFilterView(record: KnowledgeRecord): KnowledgeFilterView {
  const text: KnowledgeFilterView["text"] = {};
  for (const key of textFilterKeys) {
    const value = record.fields[key];
    if (value !== undefined) text[key] = String(value).toLowerCase();
  }
  const start = record.fields.startTime;
  return {
    kind: record.kind.toLowerCase(),
    text,
    startTime: typeof start === "string" ? normalizeClockTime(start) : undefined,
  };
}

/** True when any filter is set. */
export function hasKnowledgeFilters(filters: KnowledgeFilters | undefined): filters is KnowledgeFilters {
  return Object.values(filters ?? {}).some((value) => value !== undefined && value !== "");
}

/**
 * A predicate over records' filter views, or undefined when no filter is set. Text filters match
 * case-insensitively, either the whole value or its leading words (`Mandalay` matches
 * `Mandalay Bay`, `AI` matches `AI/ML`). The time range compares `startTime` (`HH:MM`) as strings,
 * inclusively; a record without a `startTime` does not match a time filter.
 */
export function compileKnowledgeFilterView(
  filters: KnowledgeFilters | undefined,
): ((view: KnowledgeFilterView) => boolean) | undefined {
  if (!hasKnowledgeFilters(filters)) return undefined;
  const wanted: Array<[TextFilterKey, string]> = [];
  for (const key of textFilterKeys) {
    const value = wantedText(filters, key);
    if (value !== undefined) wanted.push([key, value]);
  }
  const kind = filters.kind?.trim().toLowerCase() || undefined;
  const after = filters.startsAfter ? normalizeClockTime(filters.startsAfter) : undefined;
  const before = filters.startsBefore ? normalizeClockTime(filters.startsBefore) : undefined;
  return (view) => {
    if (kind && view.kind !== kind) return false;
    for (const [key, value] of wanted) {
      const actual = view.text[key];
      if (actual === undefined || !matchesText(actual, value)) return false;
    }
    if (after || before) {
      const time = view.startTime;
      if (time === undefined) return false;
      if (after && time < after) return false;
      if (before && time > before) return false;
    }
    return true;
  };
}

/** The same predicate over records, for results that are not indexed (Bedrock's). */
export function compileKnowledgeFilters(
  filters: KnowledgeFilters | undefined,
): ((record: KnowledgeRecord) => boolean) | undefined {
  const matches = compileKnowledgeFilterView(filters);
  return matches && ((record) => matches(knowledgeFilterView(record)));
}
