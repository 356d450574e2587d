import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import { LRUCache } from "lru-cache";
import type { IdentifierKind } from "../ports/customer-store.js";

const normalizedPhones = new LRUCache<string, string>({ max: 10_000 });
const emailPattern = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

/**
 * Normalises an address so one person has one identifier: phone numbers to E.164 (with
 * libphonenumber-js; `defaultRegion` for national numbers), emails trimmed and lower-cased. Returns
 * undefined when the value is not a valid address of that kind.
 */
export function normalizeIdentifier(
  kind: IdentifierKind,
  raw: string,
  defaultRegion = "US",
): string | undefined {
  const value = raw.trim();
  if (!value) return undefined;
  switch (kind) {
    case "phone": {
      // Parsing is the costly part of an SMS webhook's identity lookup; the same numbers recur.
      const key = `${defaultRegion} ${value}`;
      const cached = normalizedPhones.get(key);
      if (cached !== undefined) return cached || undefined;
      const parsed = parsePhoneNumberFromString(value.replace(/^tel:/i, ""), defaultRegion as CountryCode);
      const normalized = parsed?.isValid() ? parsed.number : undefined;
      normalizedPhones.set(key, normalized ?? "");
      return normalized;
    }
    case "email": {
      const email = value.replace(/^mailto:/i, "").toLowerCase();
      return emailPattern.test(email) ? email : undefined;
    }
    case "web":
      return /^[\w-]{8,128}$/.test(value) ? value : undefined;
  }
}

/** Guesses the kind of a free-form address. */
export function identifierKindOf(raw: string): IdentifierKind {
  return raw.includes("@") ? "email" : "phone";
}
