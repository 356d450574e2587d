import type { Conversation } from "../ports/conversation-store.js";

/** The phone numbers and emails this conversation's customer owns (where it came from, plus linked ones). */
export function customerAddresses(conversation: Conversation): { phones: string[]; emails: string[] } {
  const contacts = (conversation.metadata.contacts ?? {}) as { phone?: unknown; email?: unknown };
  const phones = new Set<string>();
  const emails = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value !== "string" || !value) return;
    if (value.includes("@")) emails.add(value.toLowerCase());
    else if (/^\+[1-9]\d{6,14}$/.test(value)) phones.add(value);
  };
  add(conversation.externalRef);
  add(contacts.phone);
  add(contacts.email);
  return { phones: [...phones], emails: [...emails] };
}
