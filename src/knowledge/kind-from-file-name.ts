import { basename, extname } from "node:path";

/**
 * The record kind a file's name implies: `venues.md` → `venue`, `faq.csv` → `faq`,
 * `sessions.json` → `session`. Names that are not a single word give `document`.
 */
export function kindFromFileName(fileName: string): string {
  const stem = basename(fileName, extname(fileName)).toLowerCase();
  if (!/^[a-z]+$/.test(stem)) return "document";
  if (stem.endsWith("ies") && stem.length > 4) return `${stem.slice(0, -3)}y`;
  if (stem.endsWith("s") && !stem.endsWith("ss") && stem.length > 3) return stem.slice(0, -1);
  return stem;
}
