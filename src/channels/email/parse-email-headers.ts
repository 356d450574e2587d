export type ThreadingIds = { messageId: string | null; inReplyTo: string[]; references: string[] };

const headerLinePattern = /^([!-9;-~]+)[ \t]*:(.*)$/;
const messageIdPattern = /<[^<>\s]+>/g;

/**
 * Parses a raw header block (SendGrid Inbound Parse `headers` field, CRLF or LF): names lower-cased,
 * folded lines unfolded per RFC 5322 (the line break is removed, the leading whitespace kept), values
 * trimmed. Repeated headers keep their order. Stops at the first empty line (end of the header section).
 */
export function parseRawHeaders(block: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let current: { name: string; value: string } | undefined;
  const flush = () => {
    if (!current) return;
    const values = headers.get(current.name) ?? [];
    values.push(current.value.trim());
    headers.set(current.name, values);
    current = undefined;
  };
  for (const line of block.split(/\r?\n/)) {
    if (line.trim() === "") {
      if (current || headers.size > 0) break;
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (current) current.value += line;
      continue;
    }
    flush();
    const match = headerLinePattern.exec(line);
    if (match) current = { name: (match[1] ?? "").toLowerCase(), value: match[2] ?? "" };
  }
  flush();
  return headers;
}

/** Message-ID, In-Reply-To and References ids, each kept with its angle brackets (`<abc@x>`). */
export function threadingIdsFromHeaders(headers: Map<string, string[]>): ThreadingIds {
  const ids = (name: string) =>
    unique(
      (headers.get(name) ?? []).flatMap((value) => withoutComments(value).match(messageIdPattern) ?? []),
    );
  return {
    messageId: ids("message-id")[0] ?? null,
    inReplyTo: ids("in-reply-to"),
    references: ids("references"),
  };
}

function withoutComments(value: string): string {
  return value.replace(/\([^()]*\)/g, " ");
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
