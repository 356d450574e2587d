import { randomUUID } from "node:crypto";

const maxReferences = 20;
const messageIdPattern = /^<[^<>\s]+>$/;
/**
 * Reply prefixes that already mark a reply: `Re:`, `RE:`, `Re[2]:`, German `Aw:`, Nordic `Sv:`, Dutch
 * `Antw:`, followed by a space — or, as clients that leave the space out write them, in capitals
 * (`RE:Delivery`). A lower-case `re:` glued to a word is part of the subject (`re:Play party`).
 */
const spacedReplyPrefix = /^\s*(?:re|aw|sv|antw)(?:\[\d+\])?\s*:(?:\s+|$)/i;
const capitalReplyPrefix = /^\s*(?:RE|AW|SV|ANTW)(?:\[\d+\])?\s*:\s*/;

export type InboundThreading = { messageId: string | null; references: string[]; subject: string };

/**
 * Subject and threading headers of our reply to an inbound email: `Re: <subject>` without stacking
 * prefixes, `In-Reply-To` = their Message-ID, `References` = their References + their Message-ID
 * (deduplicated, the last 20), `Message-ID` = ours. Without an inbound Message-ID only our
 * Message-ID is set.
 */
export function buildReplyHeaders(
  inbound: InboundThreading,
  ourMessageId: string,
): { subject: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { "Message-ID": ourMessageId };
  const theirMessageId = inbound.messageId?.trim() ?? "";
  if (messageIdPattern.test(theirMessageId)) {
    const references = [...new Set([...inbound.references.map((id) => id.trim()), theirMessageId])].filter(
      (id) => messageIdPattern.test(id),
    );
    headers["In-Reply-To"] = theirMessageId;
    headers.References = references.slice(-maxReferences).join(" ");
  }
  return { subject: replySubject(inbound.subject), headers };
}

/** `Re: <subject>`; existing reply prefixes (`Re: Re:`, `RE:`, `Aw:`) collapse into one `Re:`. */
export function replySubject(subject: string): string {
  // Folded lines joined with one space (split and trim: linear on any input).
  let base = subject
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(" ");
  for (;;) {
    const prefix = spacedReplyPrefix.exec(base) ?? capitalReplyPrefix.exec(base);
    if (!prefix) break;
    base = base.slice(prefix[0].length);
  }
  return `Re: ${base || "Your message"}`;
}

/** A fresh RFC 5322 Message-ID, `<uuid@domain>`. */
export function newMessageId(domain: string): string {
  const host = domain.trim().toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(host)) throw new Error(`Not a valid Message-ID domain: "${domain}"`);
  return `<${randomUUID()}@${host}>`;
}
