import { NotFoundError } from "../../errors/not-found-error.js";
import { SwitchboardError } from "../../errors/switchboard-error.js";
import type {
  AuditEntry,
  Customer,
  CustomerIdentifier,
  CustomerStore,
  PendingVerification,
} from "../../ports/customer-store.js";
import { newCustomer } from "../new-customer.js";
import { createMonotonicClock, newId } from "../store-clock.js";

/** In-memory customers and identifiers, for tests and `STORE=memory`. */
export function createMemoryCustomerStore(): CustomerStore {
  const customers = new Map<string, Customer>();
  const identifiers = new Map<string, CustomerIdentifier>();
  const verifications = new Map<string, PendingVerification>();
  const audit: AuditEntry[] = [];
  const key = (kind: string, value: string) => `${kind}\u0000${value}`;
  const copy = <T>(value: T): T => structuredClone(value);
  const now = createMonotonicClock();

  const store: CustomerStore = {
    async resolveCustomer(kind, value) {
      const owner = identifiers.get(key(kind, value));
      const existing = owner ? customers.get(owner.customerId) : undefined;
      if (existing) return { customer: copy(existing), created: false };
      const timestamp = now();
      const customer: Customer = newCustomer(timestamp);
      customers.set(customer.id, customer);
      identifiers.set(key(kind, value), { kind, value, customerId: customer.id, createdAt: timestamp });
      return { customer: copy(customer), created: true };
    },
    async findCustomerByIdentifier(kind, value) {
      const owner = identifiers.get(key(kind, value));
      const customer = owner ? customers.get(owner.customerId) : undefined;
      return customer ? copy(customer) : undefined;
    },
    async getCustomer(id) {
      const customer = customers.get(id);
      return customer ? copy(customer) : undefined;
    },
    async updateCustomer(id, patch) {
      const customer = customers.get(id);
      if (!customer) throw new NotFoundError(`Customer ${id}`);
      if (patch.name !== undefined) customer.name = patch.name;
      if (patch.language !== undefined) customer.language = patch.language;
      if (patch.preferences) customer.preferences = { ...customer.preferences, ...patch.preferences };
      customer.updatedAt = now();
      return copy(customer);
    },
    async listIdentifiers(customerId) {
      return [...identifiers.values()]
        .filter((identifier) => identifier.customerId === customerId)
        .sort((a, b) => a.createdAt - b.createdAt)
        .map(copy);
    },
    async linkIdentifier(customerId, kind, value) {
      if (!customers.has(customerId)) throw new NotFoundError(`Customer ${customerId}`);
      const owner = identifiers.get(key(kind, value));
      if (owner && owner.customerId !== customerId) {
        throw new SwitchboardError("IDENTIFIER_TAKEN", "That address belongs to another customer", {
          statusCode: 409,
        });
      }
      if (!owner) identifiers.set(key(kind, value), { kind, value, customerId, createdAt: now() });
    },
    async mergeCustomers(intoId, fromId) {
      if (!customers.has(intoId)) throw new NotFoundError(`Customer ${intoId}`);
      if (!customers.has(fromId)) throw new NotFoundError(`Customer ${fromId}`);
      for (const identifier of identifiers.values())
        if (identifier.customerId === fromId) identifier.customerId = intoId;
      for (const [id, verification] of verifications)
        if (verification.customerId === fromId) verifications.delete(id);
      customers.delete(fromId);
    },
    async deleteCustomer(id) {
      customers.delete(id);
      for (const [identifierKey, identifier] of identifiers)
        if (identifier.customerId === id) identifiers.delete(identifierKey);
      for (const [verificationId, verification] of verifications) {
        if (verification.customerId === id) verifications.delete(verificationId);
      }
    },
    async saveVerification(verification) {
      verifications.set(verification.id, copy(verification));
    },
    async listVerifications(customerId) {
      return [...verifications.values()]
        .filter((verification) => verification.customerId === customerId)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(copy);
    },
    async listVerificationsForAddress(kind, value) {
      return [...verifications.values()]
        .filter((verification) => verification.kind === kind && verification.value === value)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(copy);
    },
    async countVerificationAttempt(id) {
      const verification = verifications.get(id);
      if (!verification) return undefined;
      verification.attempts += 1;
      return verification.attempts;
    },
    async deleteVerification(id) {
      verifications.delete(id);
    },
    async forgetVerificationsBefore(createdBefore, limit) {
      let forgotten = 0;
      for (const [id, verification] of verifications) {
        if (forgotten >= limit) break;
        if (verification.createdAt >= createdBefore) continue;
        verifications.delete(id);
        forgotten++;
      }
      return forgotten;
    },
    async appendAudit(entry) {
      const stored: AuditEntry = { ...copy(entry), id: newId("aud"), at: now() };
      audit.push(stored);
      return copy(stored);
    },
    async listAudit(customerId) {
      return audit.filter((entry) => entry.customerId === customerId).map(copy);
    },
  };
  return store;
}
