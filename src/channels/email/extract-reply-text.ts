/** Attribution lines that introduce a quoted earlier message (may wrap over up to three lines). */
const attributionEndings: RegExp[] = [
  /\bwrote:\s*$/i, // On Tue, Sep 2, 2025 at 10:15 AM Pat <pat@example.org> wrote:
  /\ba écrit\s?:\s*$/i, // Le mar. 2 sept. 2025 à 10:15, Pat <pat@example.org> a écrit :
  /\bschrieb\b.*:\s*$/i, // Am 02.09.2025 um 10:15 schrieb Pat <pat@example.org>:
  /\bescribió:\s*$/i, // El mar, 2 sept 2025 a las 10:15, Pat (<pat@example.org>) escribió:
  /\bschreef\b.*:\s*$/i, // Op di 2 sep. 2025 om 10:15 schreef Pat <pat@example.org>:
  /\bha scritto:\s*$/i, // Il giorno mar 2 set 2025 alle ore 10:15 Pat ha scritto:
  /\bescreveu:\s*$/i, // Em ter., 2 de set. de 2025 às 10:15, Pat escreveu:
];
const attributionStart = /^\s*(?:On|Le|Am|El|Op|Il|Em)\s/;

const separatorLines: RegExp[] = [
  /^\s*-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^\s*-{2,}\s*(?:Forwarded message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$/i,
  /^\s*_{10,}\s*$/, // Outlook: ________________________________
];

/** The signature delimiter (`-- `, or a bare `--`) and common mobile footers. */
const signatureLines: RegExp[] = [
  /^-- ?$/,
  /^\s*Sent from my (?:iPhone|iPad|Android|mobile|Samsung|Galaxy|Pixel|BlackBerry)\b/i,
  /^\s*Sent from (?:Outlook|Mail for Windows|Yahoo Mail)\b/i,
  /^\s*Get Outlook for (?:iOS|Android)\b/i,
  /^\s*Von meinem (?:iPhone|iPad|Android|Smartphone)\b/i,
  /^\s*Envoyé de mon (?:iPhone|iPad|Android|mobile)\b/i,
];

const headerBlockFrom = /^\s*\*?(?:From|Von|De)\s?:\*?\s/i;
const headerBlockDate = /^\s*\*?(?:Sent|Date|Gesendet|Datum|Envoyé)\s?:\*?\s/i;
const headerBlockToOrSubject = /^\s*\*?(?:To|Subject|An|Betreff|À|Objet|Cc)\s?:\*?\s/i;

/**
 * The new text of an email reply: quoted earlier messages (attribution lines, Outlook header blocks
 * and separators, `>` lines) and signatures (`-- `, mobile footers) removed; 3+ blank lines collapsed.
 * When nothing stands above an `On … wrote:` attribution (a bottom-posted reply), the unquoted text
 * after it is used instead.
 */
export function extractReplyText(text: string): string {
  let lines = text.replace(/\r\n?/g, "\n").split("\n");
  // A loop, not recursion: an email may stack thousands of attributions.
  for (;;) {
    const quoteStart = findQuoteStart(lines);
    const above = cleanUp(cutAtSignature(lines.slice(0, quoteStart.index)));
    if (above || quoteStart.attributionLength === 0) return above;
    lines = lines
      .slice(quoteStart.index + quoteStart.attributionLength)
      .filter((line) => !line.startsWith(">"));
  }
}

/** First line of quoted material; `attributionLength` > 0 when it is an `On … wrote:` line. */
function findQuoteStart(lines: string[]): { index: number; attributionLength: number } {
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    const attributionLength = attributionLineCount(lines, index);
    if (attributionLength > 0) return { index, attributionLength };
    if (separatorLines.some((pattern) => pattern.test(line)) || isHeaderBlock(lines, index))
      return { index, attributionLength: 0 };
  }
  return { index: lines.length, attributionLength: 0 };
}

/** How many lines (1–3) an attribution starting at `index` spans; 0 when there is none. */
function attributionLineCount(lines: string[], index: number): number {
  const first = lines[index] ?? "";
  if (!attributionStart.test(first)) return 0;
  let joined = "";
  for (let offset = 0; offset < 3; offset++) {
    const line = lines[index + offset];
    if (line === undefined || (offset > 0 && line.trim() === "")) return 0;
    joined = `${joined} ${line.trim()}`;
    if (joined.length > 300) return 0;
    if (attributionEndings.some((pattern) => pattern.test(joined))) return offset + 1;
  }
  return 0;
}

/** `From:` followed within 4 lines by `Sent:`/`Date:` and `To:`/`Subject:` (Outlook, forwards). */
function isHeaderBlock(lines: string[], index: number): boolean {
  if (!headerBlockFrom.test(lines[index] ?? "")) return false;
  const following = lines.slice(index + 1, index + 5);
  return (
    following.some((line) => headerBlockDate.test(line)) &&
    following.some((line) => headerBlockToOrSubject.test(line))
  );
}

function cutAtSignature(lines: string[]): string[] {
  const signatureIndex = lines.findIndex((line) => signatureLines.some((pattern) => pattern.test(line)));
  return signatureIndex >= 0 ? lines.slice(0, signatureIndex) : lines;
}

function cleanUp(lines: string[]): string {
  return lines
    .filter((line) => !line.startsWith(">"))
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

const namedEntities: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/**
 * A small HTML-to-text conversion for emails that arrive without a text part: drops `<script>`,
 * `<style>`, `<head>`, comments and `<blockquote>` (quoted earlier messages), turns `<br>` and the
 * ends of blocks into line breaks, strips the remaining tags and decodes common entities.
 */
export function htmlToText(html: string): string {
  let text = removeComments(html);
  for (const tag of ["script", "style", "head", "title"]) text = removeElements(text, tag);
  return removeBlockquotes(text)
    .replace(/\s+/g, " ")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<hr\b[^<>]*>/gi, "\n")
    .replace(/<\/(?:p|div|li|tr|h[1-6]|ul|ol|table)\s*>/gi, "\n")
    .replace(/<[^<>]*>/g, "")
    .replace(
      /&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{1,10});/gi,
      (whole, name: string) => decodeEntity(name) ?? whole,
    )
    .replace(/[ \t]*\n[ \t]*/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * `text` without its `<blockquote>` elements (quoted earlier messages), nested ones with them; an
 * unclosed one to the end. One pass over the tags, in order.
 */
function removeBlockquotes(text: string): string {
  const lower = text.toLowerCase();
  let kept = "";
  let from = 0;
  let depth = 0;
  let nextOpen = lower.indexOf("<blockquote");
  let nextClose = lower.indexOf("</blockquote");
  let nextGt = -1;
  while (nextOpen >= 0 || nextClose >= 0) {
    if (nextOpen >= 0 && (nextClose < 0 || nextOpen < nextClose)) {
      if (depth === 0) kept += text.slice(from, nextOpen);
      depth++;
      nextOpen = lower.indexOf("<blockquote", nextOpen + 11);
      continue;
    }
    if (nextGt < nextClose) nextGt = lower.indexOf(">", nextClose);
    if (nextGt < 0) break;
    if (depth > 0) {
      depth--;
      if (depth === 0) from = nextGt + 1;
    }
    nextClose = lower.indexOf("</blockquote", nextClose + 12);
  }
  return depth > 0 ? kept : kept + text.slice(from);
}

/** `text` without its `<!-- … -->` comments (an unclosed one to the end). */
function removeComments(text: string): string {
  let kept = "";
  let from = 0;
  for (let start = text.indexOf("<!--"); start >= 0; start = text.indexOf("<!--", from)) {
    kept += text.slice(from, start);
    const end = text.indexOf("-->", start + 4);
    if (end < 0) return kept;
    from = end + 3;
  }
  return kept + text.slice(from);
}

/**
 * `text` without its `<tag …>…</tag>` elements (an unclosed one to the end). With `indexOf`, so the
 * work stays linear: a lazy regex rescans the rest of the text for every unclosed element.
 */
function removeElements(text: string, tag: string): string {
  const lower = text.toLowerCase();
  const open = `<${tag}`;
  const close = `</${tag}`;
  let kept = "";
  let from = 0;
  for (let start = lower.indexOf(open); start >= 0; start = lower.indexOf(open, from)) {
    const afterName = start + open.length;
    if (/[a-z0-9-]/.test(lower.charAt(afterName))) {
      // Another element whose name starts the same (`<header>` for `head`).
      kept += text.slice(from, afterName);
      from = afterName;
      continue;
    }
    kept += text.slice(from, start);
    const end = lower.indexOf(close, afterName);
    const closeEnd = end < 0 ? -1 : lower.indexOf(">", end + close.length);
    if (closeEnd < 0) return kept;
    from = closeEnd + 1;
  }
  return kept + text.slice(from);
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith("#")) {
    const codePoint =
      name[1] === "x" || name[1] === "X"
        ? Number.parseInt(name.slice(2), 16)
        : Number.parseInt(name.slice(1), 10);
    return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : undefined;
  }
  return namedEntities[name.toLowerCase()];
}
