/**
 * About `width` characters of `text` around the first occurrence of any of `terms`
 * (case-insensitive), cut at word boundaries, with `…` where text was left out. Without a match,
 * the start of the text.
 */
export function makeSnippet(text: string, terms: readonly string[], width = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= width) return flat;
  const lower = flat.toLowerCase();
  let position = -1;
  for (const term of terms) {
    if (!term) continue;
    const found = lower.indexOf(term.toLowerCase());
    if (found !== -1 && (position === -1 || found < position)) position = found;
  }
  let start = position === -1 ? 0 : Math.max(0, position - Math.floor(width / 3));
  let end = Math.min(flat.length, start + width);
  start = Math.max(0, end - width);
  if (start > 0) {
    const space = flat.indexOf(" ", start);
    if (space !== -1 && space < position) start = space + 1;
  }
  if (end < flat.length) {
    const space = flat.lastIndexOf(" ", end);
    if (space > start) end = space;
  }
  return `${start > 0 ? "…" : ""}${flat.slice(start, end).trim()}${end < flat.length ? "…" : ""}`;
}
