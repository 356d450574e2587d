import type { KnowledgeRecord } from "../ports/knowledge-search.js";

type Primitive = string | number | boolean;

/** Keys whose values are prose: rendered as paragraphs after the structured facts. */
const proseKeys = new Set(["abstract", "description", "summary", "answer", "body", "text", "details"]);
const titleKeys = ["title", "name", "question"] as const;

const isPrimitive = (value: unknown): value is Primitive =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean";

/** `startTime` → `Start time`, `room_name` → `Room name`. */
const labelOf = (key: string): string => {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * The primitive fields of a plain object: strings and numbers as they are, booleans as `yes`/`no`,
 * arrays of primitives joined with `, ` (so `speakers` stays searchable and filterable).
 * Nested objects are left out.
 */
export function primitiveFieldsOf(object: Record<string, unknown>): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === "string" || typeof value === "number") fields[key] = value;
    else if (typeof value === "boolean") fields[key] = value ? "yes" : "no";
    else if (Array.isArray(value) && value.every(isPrimitive) && value.length > 0) {
      fields[key] = value.map(String).join(", ");
    }
  }
  return fields;
}

/** Renders a session-like record so it reads well aloud and in a snippet. */
function renderText(title: string, fields: Record<string, string | number>): string {
  const used = new Set(["id", "title", "name", "question", "kind"]);
  const sentences: string[] = [fields.id !== undefined ? `${fields.id}: ${title}.` : `${title}.`];
  const take = (key: string): string | undefined => {
    const value = fields[key];
    if (value === undefined || value === "") return undefined;
    used.add(key);
    return String(value);
  };
  const speakers = take("speakers");
  if (speakers) sentences.push(`Speakers: ${speakers}.`);
  const when = [take("day"), take("date")].filter(Boolean).join(", ");
  const start = take("startTime");
  const end = take("endTime");
  const time = start ? (end ? `${start}–${end}` : start) : "";
  const where = [take("venue"), take("room")].filter(Boolean).join(", ");
  const schedule = [when, time].filter(Boolean).join(", ") + (where ? ` at ${where}` : "");
  if (schedule.trim()) sentences.push(`${schedule.trim()}.`);
  const track = take("track");
  const level = take("level");
  const format = take("format");
  const category = [track && `Track: ${track}`, level && `level ${level}`, format].filter(Boolean);
  if (category.length > 0) sentences.push(`${category.join("; ")}.`);
  const rest: string[] = [];
  const prose: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (used.has(key)) continue;
    if (proseKeys.has(key) || String(value).length > 120) prose.push(String(value));
    else rest.push(`${labelOf(key)}: ${value}`);
  }
  if (rest.length > 0) sentences.push(`${rest.join("; ")}.`);
  return [sentences.join(" "), ...prose].join("\n");
}

/**
 * One structured record (a JSON object or a CSV row) as a KnowledgeRecord. A record with an `id`
 * and a `day` or `startTime` is a session (`session:<id>`); one with only an `id` is `<kind>:<id>`;
 * one without is `<kind>:<file>#<row>` (1-based).
 */
export function recordFromObject(
  object: Record<string, unknown>,
  context: { kind: string; fileName: string; index: number },
): KnowledgeRecord {
  const fields = primitiveFieldsOf(object);
  const rawId = fields.id;
  const isSession = rawId !== undefined && (fields.day !== undefined || fields.startTime !== undefined);
  const declaredKind = typeof object.kind === "string" && object.kind ? object.kind : context.kind;
  const kind = isSession ? "session" : declaredKind;
  const id =
    rawId !== undefined && rawId !== ""
      ? `${kind}:${rawId}`
      : `${kind}:${context.fileName}#${context.index + 1}`;
  const titleKey = titleKeys.find((key) => typeof fields[key] === "string" && fields[key] !== "");
  const title = titleKey ? String(fields[titleKey]) : rawId !== undefined ? String(rawId) : id;
  return { id, kind, title, text: renderText(title, fields), fields, source: context.fileName };
}
