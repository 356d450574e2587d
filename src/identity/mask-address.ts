/** `pat@example.org` → `p***@example.org`; `+14155550123` → `•••0123`: safe to say aloud and to audit. */
export function maskAddress(value: string): string {
  const at = value.indexOf("@");
  if (at > 0) return `${value[0]}***${value.slice(at)}`;
  return `•••${value.slice(-4)}`;
}
