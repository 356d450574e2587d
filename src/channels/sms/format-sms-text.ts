/** The most characters Twilio accepts in one message body. */
export const smsMaxLength = 1600;

/** Removes markdown a model may still produce, so the text reads well on a phone. */
export function toPlainSmsText(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, (block) => block.replace(/```\w*\n?/g, ""))
    .replace(/\[([^\]]+)\]\((https?:[^)]+)\)/g, "$1 ($2)")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|[^*])\*(?!\s)([^*\n]+)\*/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/^\s*[-*•]\s+/gm, "- ")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Splits a reply into messages of at most `maxLength` characters, on sentence boundaries where
 * possible (then on spaces, then hard).
 */
export function splitSmsText(text: string, maxLength = smsMaxLength): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > maxLength) {
    const window = rest.slice(0, maxLength + 1);
    let cut = -1;
    const sentenceEnd = /[.!?](?=\s)/g;
    for (let match = sentenceEnd.exec(window); match; match = sentenceEnd.exec(window)) {
      if (match.index + 1 <= maxLength) cut = match.index + 1;
    }
    if (cut < maxLength / 3) {
      const space = window.lastIndexOf(" ", maxLength);
      cut = space > maxLength / 3 ? space : maxLength;
    }
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
