import type { CustomerStore } from "../ports/customer-store.js";

/** A customer as the company's own systems see them: tool calls and event webhooks carry it. */
export interface CustomerSummary {
  id: string;
  name: string | null;
  /** Verified addresses only: the ones the customer wrote or called from, or confirmed with a code. */
  phoneNumbers: string[];
  emails: string[];
}

export async function customerSummary(
  customers: Pick<CustomerStore, "getCustomer" | "listIdentifiers">,
  customerId: string | null,
): Promise<CustomerSummary | null> {
  if (!customerId) return null;
  const customer = await customers.getCustomer(customerId);
  if (!customer) return null;
  const identifiers = await customers.listIdentifiers(customerId);
  return {
    id: customer.id,
    name: customer.name,
    phoneNumbers: identifiers.filter((entry) => entry.kind === "phone").map((entry) => entry.value),
    emails: identifiers.filter((entry) => entry.kind === "email").map((entry) => entry.value),
  };
}
