import { basename, extname } from "node:path";
import type { KnowledgeRecord } from "../ports/knowledge-search.js";
import { kindFromFileName } from "./kind-from-file-name.js";
import type { KnowledgeFile } from "./knowledge-file.js";
import { createSlugDeduplicator, slugifyHeading } from "./slugify-heading.js";

const headingPattern = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const fencePattern = /^\s*(```|~~~)/;
/** `- **Start time:** 19:00` → field `startTime` = `19:00`. */
const fieldPattern = /^\s*[-*]\s+\*\*([^*:]+):\*\*\s*(.+?)\s*$/;

/** `---` front matter of `key: value` lines, and the body after it. */
function splitFrontMatter(content: string): { meta: Record<string, string>; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(content);
  if (!match) return { meta: {}, body: content };
  const meta: Record<string, string> = {};
  for (const line of (match[1] ?? "").split(/\r?\n/)) {
    const pair = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (pair?.[1]) meta[pair[1].toLowerCase()] = (pair[2] ?? "").trim().replace(/^["']|["']$/g, "");
  }
  return { meta, body: content.slice(match[0].length) };
}

const camelKey = (label: string): string =>
  label
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+(.)/g, (_, next: string) => next.toUpperCase())
    .replace(/[^a-zA-Z0-9]/g, "");

/** Markdown emphasis, code and link syntax removed, so text reads cleanly aloud. */
const plainText = (markdown: string): string =>
  markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__|`)/g, "")
    .replace(/^\s*>\s?/gm, "")
    .replace(/^\s*[-*+]\s+/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();

/**
 * A Markdown file split into one record per heading section. The title is the heading path
 * (`Evening events > re:Play closing party`), the id `doc:<file>#<slug of the heading>`, the kind
 * comes from front matter `kind:` or the file name. `- **Key:** value` bullets become fields.
 */
export function loadMarkdownRecords(file: KnowledgeFile): KnowledgeRecord[] {
  const { meta, body } = splitFrontMatter(file.content);
  const kind = meta.kind || kindFromFileName(file.name);
  const documentTitle = meta.title || basename(file.name, extname(file.name));
  const uniqueSlug = createSlugDeduplicator();
  const records: KnowledgeRecord[] = [];
  const headings: Array<{ level: number; text: string }> = [];
  let lines: string[] = [];
  let inFence = false;

  const flush = () => {
    const fields: Record<string, string> = {};
    for (const line of lines) {
      const field = fieldPattern.exec(line);
      if (field?.[1] && field[2]) fields[camelKey(field[1])] = plainText(field[2]);
    }
    const text = plainText(lines.join("\n"));
    lines = [];
    if (!text) return;
    const path = headings.map((heading) => heading.text);
    const last = path.at(-1);
    records.push({
      id: `doc:${file.name}#${uniqueSlug(slugifyHeading(last ?? "intro"))}`,
      kind,
      title: path.length > 0 ? path.join(" > ") : documentTitle,
      text,
      fields,
      source: file.name,
    });
  };

  for (const line of body.split(/\r?\n/)) {
    if (fencePattern.test(line)) inFence = !inFence;
    const heading = inFence ? null : headingPattern.exec(line);
    if (!heading?.[1] || !heading[2]) {
      lines.push(line);
      continue;
    }
    flush();
    const level = heading[1].length;
    while ((headings.at(-1)?.level ?? 0) >= level) headings.pop();
    headings.push({ level, text: plainText(heading[2]) });
  }
  flush();
  return records;
}
