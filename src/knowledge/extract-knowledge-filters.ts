import type { KnowledgeFilters } from "../ports/knowledge-search.js";
import { knowledgeStopWords } from "./knowledge-stop-words.js";
import { weekdays } from "./weekdays.js";

export interface ExtractedKnowledgeQuery {
  /** What is left to search for: remaining words without stop words, session ids first. */
  query: string;
  filters: KnowledgeFilters;
  /** Session ids named in the text (`AIM312`), upper-cased; a caller can `get("session:AIM312")`. */
  sessionIds: string[];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
/** A phrase as a case-insensitive pattern: whole words, any run of spaces between them. */
const phrasePattern = (phrase: string): string =>
  `(?<![\\p{L}\\p{N}])${phrase.trim().split(/\s+/).map(escapeRegExp).join("\\s+")}(?![\\p{L}\\p{N}-])`;

const dayAliases: Array<[string, string]> = [
  ...weekdays.map((day): [string, string] => [`${day}s?`, day]),
  ["mon", "Monday"],
  ["tues?", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu(?:rs?)?", "Thursday"],
  ["fri", "Friday"],
];

/** Extra names people use: multi-word venues by their first word when it is distinctive. */
function venueAliases(venues: readonly string[]): Array<[string, string]> {
  const aliases: Array<[string, string]> = venues.map((venue) => [venue, venue]);
  for (const venue of venues) {
    const first = venue.split(/\s+/)[0] ?? "";
    const isDistinctive = venues.filter((other) => other.split(/\s+/)[0] === first).length === 1;
    if (venue.includes(" ") && first.length >= 3 && isDistinctive) aliases.push([first, venue]);
  }
  return aliases;
}

/** Tracks by their name, singular/plural form, the parts of `AI/ML`, and "machine learning". */
function trackAliases(tracks: readonly string[]): Array<[string, string]> {
  const aliases: Array<[string, string]> = [];
  for (const track of tracks) {
    aliases.push([track, track]);
    if (/s$/i.test(track)) aliases.push([track.slice(0, -1), track]);
    for (const part of track.split("/")) if (part !== track && part.length >= 2) aliases.push([part, track]);
    if (/\bML\b/.test(track)) aliases.push(["machine learning", track]);
    if (/\bAI\b/.test(track)) aliases.push(["artificial intelligence", track]);
  }
  return aliases;
}

const clock = String.raw`(noon|\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)`;

/** `3 pm` → `15:00`, `9:30` → `09:30`, `noon` → `12:00`; a bare 1–7 is afternoon, 8–11 morning. */
function toClockTime(spoken: string): string | undefined {
  const text = spoken.trim().toLowerCase();
  if (text === "noon") return "12:00";
  const match = /^(\d{1,2})(?::(\d{2}))?\s*([ap])?/.exec(text);
  if (!match) return undefined;
  let hour = Number(match[1]);
  const minute = Number(match[2] ?? "0");
  const meridiem = match[3];
  if (hour > 23 || minute > 59) return undefined;
  if (meridiem === "p" && hour < 12) hour += 12;
  else if (meridiem === "a" && hour === 12) hour = 0;
  else if (!meridiem && hour >= 1 && hour <= 7) hour += 12;
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/**
 * Pulls structured filters out of a question: weekday names, known venues (also by a distinctive
 * first word: "Mandalay"), known tracks, "morning" (starts up to 11:59), "afternoon"
 * (12:00–16:59), "evening"/"tonight" (17:00 on), "after 3 pm"/"before 10"/"between 1 and 3 pm"/
 * "at 2pm", "level 300", "sessions"/"talks" (kind `session`) and "events" (kind `event`), plus
 * session ids such as `AIM312`. What remains, minus stop words, is the query.
 */
export function extractKnowledgeFilters(
  text: string,
  known: { venues: readonly string[]; tracks: readonly string[] },
): ExtractedKnowledgeQuery {
  const filters: KnowledgeFilters = {};
  const sessionIds: string[] = [];
  let rest = ` ${text} `;
  /** Removes every match of `pattern` from the text, handing its capture groups to `onMatch`. */
  const take = (pattern: string, onMatch: (groups: Array<string | undefined>) => void) => {
    rest = rest.replace(new RegExp(pattern, "giu"), (...args: unknown[]) => {
      onMatch(args.slice(1, -2) as Array<string | undefined>);
      return " ";
    });
  };

  take(String.raw`(?<![\p{L}\p{N}])([a-z]{3})-?(\d{3})(?![\p{L}\p{N}])`, (groups) => {
    const id = `${groups[0]}${groups[1]}`.toUpperCase();
    if (!sessionIds.includes(id)) sessionIds.push(id);
  });
  take(String.raw`\blevel\s*([1-4]00)\b|\b([1-4]00)[-\s]?level\b`, (groups) => {
    filters.level = groups[0] || groups[1];
  });
  take(String.raw`\bbetween\s+${clock}\s+and\s+${clock}`, (groups) => {
    const end = groups[1] ?? "";
    const endMeridiem = /[ap]\.?m/i.exec(end)?.[0] ?? "";
    const start = /[ap]\.?m/i.test(groups[0] ?? "") ? (groups[0] ?? "") : `${groups[0]} ${endMeridiem}`;
    filters.startsAfter = toClockTime(start);
    filters.startsBefore = toClockTime(end);
  });
  take(String.raw`\b(?:after|from|since|later than)\s+${clock}`, (groups) => {
    filters.startsAfter = toClockTime(groups[0] ?? "");
  });
  take(String.raw`\b(?:before|until|till|by|earlier than)\s+${clock}`, (groups) => {
    filters.startsBefore = toClockTime(groups[0] ?? "");
  });
  take(String.raw`\bat\s+(noon|\d{1,2}(?::\d{2})?\s*[ap]\.?m\.?|\d{1,2}:\d{2})`, (groups) => {
    const time = toClockTime(groups[0] ?? "");
    filters.startsAfter = time;
    filters.startsBefore = time;
  });
  const hasTime = () => filters.startsAfter !== undefined || filters.startsBefore !== undefined;
  take(String.raw`\b(?:in the\s+)?(morning|afternoon|evening|night|tonight)\b`, (groups) => {
    if (hasTime()) return;
    const part = (groups[0] ?? "").toLowerCase();
    if (part === "morning") filters.startsBefore = "11:59";
    else if (part === "afternoon") {
      filters.startsAfter = "12:00";
      filters.startsBefore = "16:59";
    } else filters.startsAfter = "17:00";
  });
  for (const [alias, day] of dayAliases) {
    take(`\\b(?:on\\s+)?${alias}\\b`, () => {
      filters.day ??= day;
    });
  }
  const bySpecificity = (left: [string, string], right: [string, string]) => right[0].length - left[0].length;
  for (const [alias, venue] of venueAliases(known.venues).sort(bySpecificity)) {
    take(`(?:\\bthe\\s+)?${phrasePattern(alias)}`, () => {
      filters.venue ??= venue;
    });
  }
  for (const [alias, track] of trackAliases(known.tracks).sort(bySpecificity)) {
    take(phrasePattern(alias), () => {
      filters.track ??= track;
    });
  }
  take(String.raw`\b(sessions?|talks?|breakouts?)\b(?!-)`, () => {
    filters.kind ??= "session";
  });
  take(String.raw`\bevents\b(?!-)`, () => {
    filters.kind ??= "event";
  });

  const words = rest
    .split(/\s+/)
    .map((word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ""))
    .filter((word) => word && !knowledgeStopWords.has(word.toLowerCase()));
  for (const key of Object.keys(filters) as Array<keyof KnowledgeFilters>) {
    if (filters[key] === undefined) delete filters[key];
  }
  return { query: [...sessionIds, ...words].join(" "), filters, sessionIds };
}
