import type { KnowledgeFilters, KnowledgeRecord } from "../ports/knowledge-search.js";

/** `9:5`, `9:05`, `09:05` → `09:05`; anything else is returned trimmed. */
export function normalizeClockTime(value: string): string {
  const match = /^(\d{1,2}):(\d{1,2})$/.exec(value.trim());
  if (!match) return value.trim();
  return `${match[1]?.padStart(2, "0")}:${match[2]?.padStart(2, "0")}`;
}

const textFilterKeys = ["day", "venue", "track", "level"] as const;

/** True when any filter is set. */
export function hasKnowledgeFilters(filters: KnowledgeFilters | undefined): filters is KnowledgeFilters {
  return Object.values(filters ?? {}).some((value) => value !== undefined && value !== "");
}

/**
 * A record predicate for the filters, or undefined when none is set. Text filters match
 * case-insensitively, either the whole value or its leading words (`Mandalay` matches
 * `Mandalay Bay`, `AI` matches `AI/ML`). The time range compares `startTime` (`HH:MM`) as strings,
 * inclusively; a record without a `startTime` does not match a time filter.
 */
export function compileKnowledgeFilters(
  filters: KnowledgeFilters | undefined,
): ((record: KnowledgeRecord) => boolean) | undefined {
  if (!hasKnowledgeFilters(filters)) return undefined;
  const wanted: Array<[(typeof textFilterKeys)[number], string]> = [];
  for (const key of textFilterKeys) {
    const value = filters[key];
    if (value !== undefined && value !== "") wanted.push([key, String(value).trim().toLowerCase()]);
  }
  const kind = filters.kind?.trim().toLowerCase() || undefined;
  const after = filters.startsAfter ? normalizeClockTime(filters.startsAfter) : undefined;
  const before = filters.startsBefore ? normalizeClockTime(filters.startsBefore) : undefined;
  return (record) => {
    if (kind && record.kind.toLowerCase() !== kind) return false;
    for (const [key, value] of wanted) {
      const actual = record.fields[key];
      if (actual === undefined) return false;
      const text = String(actual).toLowerCase();
      if (text !== value && !text.startsWith(`${value} `) && !text.startsWith(`${value}/`)) return false;
    }
    if (after || before) {
      const start = record.fields.startTime;
      if (typeof start !== "string") return false;
      const time = normalizeClockTime(start);
      if (after && time < after) return false;
      if (before && time > before) return false;
    }
    return true;
  };
}
