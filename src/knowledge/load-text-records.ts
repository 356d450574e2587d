import { basename, extname } from "node:path";
import type { KnowledgeRecord } from "../ports/knowledge-search.js";
import { kindFromFileName } from "./kind-from-file-name.js";
import type { KnowledgeFile } from "./knowledge-file.js";

/**
 * A plain-text file as one record per paragraph (blank-line separated): id `doc:<file>#p<n>`,
 * title the paragraph's first line when it is short, else `<file name> (part n)`.
 */
export function loadTextRecords(file: KnowledgeFile): KnowledgeRecord[] {
  const kind = kindFromFileName(file.name);
  const name = basename(file.name, extname(file.name));
  return file.content
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph, index) => {
      const firstLine = paragraph.split(/\r?\n/, 1)[0] ?? "";
      const isHeading = firstLine.length <= 80 && paragraph.includes("\n");
      return {
        id: `doc:${file.name}#p${index + 1}`,
        kind,
        title: isHeading ? firstLine : `${name} (part ${index + 1})`,
        text: paragraph.replace(/\s*\r?\n\s*/g, " "),
        fields: {},
        source: file.name,
      };
    });
}
