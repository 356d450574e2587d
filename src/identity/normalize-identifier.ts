import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import type { IdentifierKind } from "../ports/customer-store.js";

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
      const parsed = parsePhoneNumberFromString(value.replace(/^tel:/i, ""), defaultRegion as CountryCode);
      return parsed?.isValid() ? parsed.number : undefined;
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
