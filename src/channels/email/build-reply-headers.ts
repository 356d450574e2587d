import { randomUUID } from "node:crypto";

/** Subject and threading headers of our reply to an inbound email. */
export function buildReplyHeaders(
  inbound: { messageId: string | null; references: string[]; subject: string },
  ourMessageId: string,
): { subject: string; headers: Record<string, string> } {
  const subject = inbound.subject.trim();
  const replySubject = /^re:/i.test(subject) ? subject : `Re: ${subject || "Your message"}`;
  const headers: Record<string, string> = { "Message-ID": ourMessageId };
  if (inbound.messageId) {
    const references = [...inbound.references, inbound.messageId].filter(
      (id, index, all) => all.indexOf(id) === index,
    );
    headers["In-Reply-To"] = inbound.messageId;
    headers.References = references.slice(-20).join(" ");
  }
  return { subject: replySubject, headers };
}

export function newMessageId(domain: string): string {
  return `<${randomUUID()}@${domain}>`;
}
