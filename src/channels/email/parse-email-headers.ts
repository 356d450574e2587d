/** Parses the raw header block SendGrid posts (`headers` field): lower-cased names, unfolded lines. */
export function parseRawHeaders(block: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const lines = block.replace(/\r\n/g, "\n").split("\n");
  let current: { name: string; value: string } | undefined;
  const flush = () => {
    if (!current) return;
    const list = headers.get(current.name) ?? [];
    list.push(current.value.trim());
    headers.set(current.name, list);
  };
  for (const line of lines) {
    if (/^[ \t]/.test(line) && current) {
      current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(":");
    current =
      colon > 0
        ? { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1) }
        : undefined;
  }
  flush();
  return headers;
}

const idPattern = /<[^<>\s]+>/g;

/** Message-ID, In-Reply-To and References ids (with their angle brackets). */
export function threadingIdsFromHeaders(headers: Map<string, string[]>): {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
} {
  const ids = (name: string) => (headers.get(name) ?? []).flatMap((value) => value.match(idPattern) ?? []);
  return {
    messageId: ids("message-id")[0] ?? null,
    inReplyTo: ids("in-reply-to"),
    references: ids("references"),
  };
}
