const cutMarkers: RegExp[] = [
  /^On .{0,200}wrote:\s*$/m,
  /^On .{0,120}\n.{0,120}wrote:\s*$/m,
  /^Le .{0,200}a écrit\s?:\s*$/m,
  /^Am .{0,200}schrieb.{0,80}:\s*$/m,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/im,
  /^_{10,}\s*$/m,
  /^From: .*\n(?:.*\n){0,3}?(?:Sent|Date): /m,
  /^(?:--|-- )\s*$/m,
  /^Sent from my (?:iPhone|iPad|Android|mobile).*$/im,
  /^Get Outlook for (?:iOS|Android).*$/im,
];

/** The new text of an email reply: quoted earlier messages and signatures removed. */
export function extractReplyText(text: string): string {
  let body = text.replace(/\r\n/g, "\n");
  let cut = body.length;
  for (const marker of cutMarkers) {
    const match = marker.exec(body);
    if (match && match.index < cut) cut = match.index;
  }
  body = body.slice(0, cut);
  return body
    .split("\n")
    .filter((line) => !line.startsWith(">"))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

const entities: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  "#39": "'",
  apos: "'",
  nbsp: " ",
};

/** A small HTML-to-text conversion for emails that arrive without a text part (quotes dropped). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, "")
    .replace(/<blockquote[\s\S]*?<\/blockquote>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|tr|h[1-6])>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z0-9]+);/gi, (whole, name: string) => {
      if (name.startsWith("#x")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith("#") && name !== "#39")
        return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
      return entities[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
