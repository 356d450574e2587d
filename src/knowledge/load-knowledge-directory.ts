import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import type { KnowledgeRecord } from "../ports/knowledge-search.js";
import type { KnowledgeFileLoader } from "./knowledge-file.js";
import type { KnowledgeLogger } from "./knowledge-logger.js";
import { loadCsvRecords } from "./load-csv-records.js";
import { loadJsonRecords } from "./load-json-records.js";
import { loadMarkdownRecords } from "./load-markdown-records.js";
import { loadTextRecords } from "./load-text-records.js";

const loadersByExtension: Record<string, KnowledgeFileLoader> = {
  ".md": loadMarkdownRecords,
  ".markdown": loadMarkdownRecords,
  ".txt": loadTextRecords,
  ".json": loadJsonRecords,
  ".csv": loadCsvRecords,
};

/** The extensions the local index can load. */
export const knowledgeFileExtensions: readonly string[] = Object.keys(loadersByExtension);

/**
 * Reads every file directly inside `directory` (sorted by name, so ids and order are stable) and
 * turns it into records. Unknown file types and files that fail to parse are logged with their
 * path and skipped; the rest still loads. `README.md` (the folder's own description) and hidden
 * files are skipped. Throws only when the directory itself cannot be read.
 */
export async function loadKnowledgeDirectory(
  directory: string,
  logger: KnowledgeLogger,
): Promise<KnowledgeRecord[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort();
  const records: KnowledgeRecord[] = [];
  for (const name of names) {
    const path = join(directory, name);
    if (name.toLowerCase() === "readme.md") continue;
    const loader = loadersByExtension[extname(name).toLowerCase()];
    if (!loader) {
      logger.warn({ path }, "knowledge: skipping file of unknown type");
      continue;
    }
    try {
      records.push(...loader({ name, content: await readFile(path, "utf8") }));
    } catch (error) {
      logger.warn(
        { path, error: error instanceof Error ? error.message : String(error) },
        "knowledge: skipping file that could not be loaded",
      );
    }
  }
  return records;
}
