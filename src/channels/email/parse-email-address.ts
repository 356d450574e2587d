/** `Pat Doe <Pat@Example.ORG>` → `{ email: "Pat@example.org", name: "Pat Doe" }` (domain lower-cased). */
export function parseEmailAddress(value: string): { email: string; name: string | null } | null {
  const text = value.trim();
  if (!text) return null;
  const angle = /^(.*?)<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$/.exec(text);
  const rawEmail = angle?.[2] ?? (/^[^\s<>"]+@[^\s<>"]+$/.test(text) ? text : null);
  if (!rawEmail) return null;
  const at = rawEmail.lastIndexOf("@");
  const local = rawEmail.slice(0, at);
  const domain = rawEmail.slice(at + 1).toLowerCase();
  if (!local || !/^[^\s@]+\.[^\s@]+$/.test(domain)) return null;
  const name =
    angle?.[1]
      ?.trim()
      .replace(/^"(.*)"$/, "$1")
      .trim() || null;
  return { email: `${local}@${domain}`, name };
}
