import type { KnowledgeRecord } from "../ports/knowledge-search.js";
import { kindFromFileName } from "./kind-from-file-name.js";
import type { KnowledgeFile } from "./knowledge-file.js";
import { recordFromObject } from "./record-from-object.js";

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A JSON file holding an array of records, or `{ kind?, records: [...] }` (other top-level keys,
 * such as a `note`, are ignored). Throws on malformed JSON or any other shape.
 */
export function loadJsonRecords(file: KnowledgeFile): KnowledgeRecord[] {
  const parsed: unknown = JSON.parse(file.content);
  let items: unknown[];
  let kind = kindFromFileName(file.name);
  if (Array.isArray(parsed)) items = parsed;
  else if (isPlainObject(parsed) && Array.isArray(parsed.records)) {
    items = parsed.records;
    if (typeof parsed.kind === "string" && parsed.kind) kind = parsed.kind;
  } else {
    throw new Error("expected an array of records or an object with a `records` array");
  }
  const records: KnowledgeRecord[] = [];
  items.forEach((item, index) => {
    if (isPlainObject(item)) records.push(recordFromObject(item, { kind, fileName: file.name, index }));
  });
  return records;
}
