import type { KnowledgeRecord } from "../ports/knowledge-search.js";

/** One file of a knowledge folder, read into memory. */
export interface KnowledgeFile {
  /** Path relative to the knowledge folder (e.g. `sessions.json`); used in ids and as `source`. */
  name: string;
  content: string;
}

/** Turns one file into records; throws when the file cannot be parsed. */
export type KnowledgeFileLoader = (file: KnowledgeFile) => KnowledgeRecord[];
