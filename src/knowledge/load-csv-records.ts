import type { KnowledgeRecord } from "../ports/knowledge-search.js";
import { kindFromFileName } from "./kind-from-file-name.js";
import type { KnowledgeFile } from "./knowledge-file.js";
import { parseCsv } from "./parse-csv.js";
import { recordFromObject } from "./record-from-object.js";

const questionHeaders = new Set(["question", "q"]);
const answerHeaders = new Set(["answer", "a"]);

/**
 * A CSV file: the header row names the fields of each following row. A question/answer pair of
 * columns makes each row an FAQ record (`faq:<id>` or `faq:<file>#<row>`); other files become
 * records like JSON ones, with the kind taken from the file name.
 */
export function loadCsvRecords(file: KnowledgeFile): KnowledgeRecord[] {
  const [header, ...rows] = parseCsv(file.content);
  if (!header) return [];
  const keys = header.map((cell) => cell.trim());
  const questionKey = keys.find((key) => questionHeaders.has(key.toLowerCase()));
  const answerKey = keys.find((key) => answerHeaders.has(key.toLowerCase()));
  const kind = questionKey && answerKey ? "faq" : kindFromFileName(file.name);
  return rows.map((cells, index) => {
    const object: Record<string, string> = {};
    keys.forEach((key, column) => {
      const value = cells[column]?.trim();
      if (key && value) object[key] = value;
    });
    if (!questionKey || !answerKey) return recordFromObject(object, { kind, fileName: file.name, index });
    const question = object[questionKey] ?? "";
    const answer = object[answerKey] ?? "";
    const rawId = object.id;
    return {
      id: rawId ? `faq:${rawId}` : `faq:${file.name}#${index + 1}`,
      kind,
      title: question,
      text: `${question}\n${answer}`,
      fields: object,
      source: file.name,
    };
  });
}
