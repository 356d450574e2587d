export type EmailAddress = { email: string; name: string | null };

const bareAddressPattern = /^[^\s<>()[\]",;:@]+@[^\s<>()[\]",;:@]+$/;
const domainPattern = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i;

/**
 * Parses one RFC 5322-ish mailbox: `Pat Doe <Pat@Example.ORG>`, `"Doe, Pat" <pat@example.org>`,
 * `<pat@example.org>`, `pat@example.org`, `pat@example.org (Pat Doe)`. The domain is lower-cased,
 * the local part kept as written. Null when the value holds no usable address.
 */
export function parseEmailAddress(value: string): EmailAddress | null {
  const text = value.trim();
  if (!text) return null;
  const angleStart = lastIndexOutsideQuotes(text, "<");
  if (angleStart >= 0) {
    const angleEnd = text.indexOf(">", angleStart);
    if (angleEnd < 0 || text.slice(angleEnd + 1).trim()) return null;
    const email = normalizeAddress(text.slice(angleStart + 1, angleEnd).trim());
    if (!email) return null;
    return { email, name: cleanDisplayName(text.slice(0, angleStart)) };
  }
  const comment = /^(\S+)\s*\(([^()]*)\)$/.exec(text);
  const email = normalizeAddress(comment?.[1] ?? text);
  if (!email) return null;
  return { email, name: comment ? cleanDisplayName(comment[2] ?? "") : null };
}

/** Parses a comma-separated address list (`to`, `cc`); commas inside quotes or `<…>` do not split. */
export function parseAddressList(value: string): EmailAddress[] {
  const addresses: EmailAddress[] = [];
  for (const part of splitOutsideQuotes(value)) {
    // Group syntax `Team: a@x, b@y;` — drop the group name and the terminating semicolon.
    const withoutGroup = part.replace(/^[^"<>@]*:\s*/, "").replace(/;\s*$/, "");
    const address = parseEmailAddress(withoutGroup);
    if (address) addresses.push(address);
  }
  return addresses;
}

function normalizeAddress(raw: string): string | null {
  const address = raw.replace(/^mailto:/i, "");
  if (!bareAddressPattern.test(address)) return null;
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (!local || !domainPattern.test(domain)) return null;
  return `${local}@${domain}`;
}

function cleanDisplayName(raw: string): string | null {
  let name = raw.trim();
  if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) {
    name = name.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  name = decodeEncodedWords(name).replace(/\s+/g, " ").trim();
  return name || null;
}

/** RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`) in display names. */
function decodeEncodedWords(text: string): string {
  return text
    .replace(/(\?=)\s+(=\?)/g, "$1$2")
    .replace(/=\?([^?]+)\?([bq])\?([^?]*)\?=/gi, (whole, charset: string, encoding: string, data: string) => {
      try {
        const bytes =
          encoding.toLowerCase() === "b"
            ? Buffer.from(data, "base64")
            : Buffer.from(
                data
                  .replace(/_/g, " ")
                  .replace(/=([0-9a-f]{2})/gi, (_match, hex: string) =>
                    String.fromCharCode(Number.parseInt(hex, 16)),
                  ),
                "latin1",
              );
        return new TextDecoder(charset.replace(/\*.*$/, "")).decode(bytes);
      } catch {
        return whole;
      }
    });
}

function lastIndexOutsideQuotes(text: string, character: string): number {
  let inQuotes = false;
  let found = -1;
  for (let index = 0; index < text.length; index++) {
    const current = text[index];
    if (current === "\\" && inQuotes) index++;
    else if (current === '"') inQuotes = !inQuotes;
    else if (current === character && !inQuotes) found = index;
  }
  return found;
}

function splitOutsideQuotes(value: string): string[] {
  const parts: string[] = [];
  let current = "";
  let inQuotes = false;
  let angleDepth = 0;
  let commentDepth = 0;
  for (let index = 0; index < value.length; index++) {
    const character = value[index] ?? "";
    if (character === "\\" && inQuotes) {
      current += character + (value[index + 1] ?? "");
      index++;
      continue;
    }
    if (character === '"') inQuotes = !inQuotes;
    else if (!inQuotes && character === "<") angleDepth++;
    else if (!inQuotes && character === ">") angleDepth = Math.max(0, angleDepth - 1);
    else if (!inQuotes && character === "(") commentDepth++;
    else if (!inQuotes && character === ")") commentDepth = Math.max(0, commentDepth - 1);
    else if (character === "," && !inQuotes && angleDepth === 0 && commentDepth === 0) {
      parts.push(current);
      current = "";
      continue;
    }
    current += character;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter(Boolean);
}
