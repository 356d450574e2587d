import { NotFoundError } from "../../errors/not-found-error.js";
import { SwitchboardError } from "../../errors/switchboard-error.js";
import type {
  AuditEntry,
  Customer,
  CustomerIdentifier,
  CustomerStore,
  PendingVerification,
} from "../../ports/customer-store.js";
import { createMonotonicClock, newId } from "../store-clock.js";
import type { SqliteDatabase } from "./open-sqlite-database.js";

type Row = Record<string, unknown>;

/** Customers, identifiers, verifications and the audit log in the embedded database. */
export function createSqliteCustomerStore(options: { database: SqliteDatabase }): CustomerStore {
  const { database } = options;
  const statements = {
    insertCustomer: database.prepare(
      "INSERT INTO customers (id, name, language, preferences, created_at, updated_at) VALUES (?, NULL, NULL, '{}', ?, ?)",
    ),
    getCustomer: database.prepare("SELECT * FROM customers WHERE id = ?"),
    updateCustomer: database.prepare(
      "UPDATE customers SET name = ?, language = ?, preferences = ?, updated_at = ? WHERE id = ?",
    ),
    deleteCustomer: database.prepare("DELETE FROM customers WHERE id = ?"),
    owner: database.prepare("SELECT customer_id FROM customer_identifiers WHERE kind = ? AND value = ?"),
    customerByIdentifier: database.prepare(
      `SELECT customers.* FROM customer_identifiers JOIN customers ON customers.id = customer_identifiers.customer_id
       WHERE customer_identifiers.kind = ? AND customer_identifiers.value = ?`,
    ),
    insertIdentifier: database.prepare(
      "INSERT INTO customer_identifiers (kind, value, customer_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    listIdentifiers: database.prepare(
      "SELECT * FROM customer_identifiers WHERE customer_id = ? ORDER BY created_at, rowid",
    ),
    moveIdentifiers: database.prepare(
      "UPDATE customer_identifiers SET customer_id = ? WHERE customer_id = ?",
    ),
    deleteIdentifiers: database.prepare("DELETE FROM customer_identifiers WHERE customer_id = ?"),
    saveVerification: database.prepare(
      `INSERT OR REPLACE INTO verifications (id, customer_id, kind, value, code_hash, conversation_id, attempts, expires_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listVerifications: database.prepare(
      "SELECT * FROM verifications WHERE customer_id = ? ORDER BY created_at DESC, rowid DESC",
    ),
    listVerificationsForAddress: database.prepare(
      "SELECT * FROM verifications WHERE kind = ? AND value = ? ORDER BY created_at DESC, rowid DESC",
    ),
    countAttempt: database.prepare(
      "UPDATE verifications SET attempts = attempts + 1 WHERE id = ? RETURNING attempts",
    ),
    deleteVerification: database.prepare("DELETE FROM verifications WHERE id = ?"),
    deleteVerifications: database.prepare("DELETE FROM verifications WHERE customer_id = ?"),
    forgetVerifications: database.prepare(
      "DELETE FROM verifications WHERE rowid IN (SELECT rowid FROM verifications WHERE created_at < ? LIMIT ?)",
    ),
    insertAudit: database.prepare(
      "INSERT INTO audit_log (id, customer_id, action, detail, at) VALUES (?, ?, ?, ?, ?)",
    ),
    listAudit: database.prepare("SELECT * FROM audit_log WHERE customer_id = ? ORDER BY at, rowid"),
  };
  const now = createMonotonicClock();

  const findOwner = (kind: string, value: string) => {
    const row = statements.customerByIdentifier.get(kind, value) as Row | undefined;
    return row ? toCustomer(row) : undefined;
  };
  const resolve = database.transaction((kind: string, value: string) => {
    const owner = statements.owner.get(kind, value) as { customer_id: string } | undefined;
    if (owner) {
      const row = statements.getCustomer.get(owner.customer_id) as Row | undefined;
      if (row) return { customer: toCustomer(row), created: false };
    }
    const timestamp = now();
    const id = newId("cus");
    statements.insertCustomer.run(id, timestamp, timestamp);
    statements.insertIdentifier.run(kind, value, id, timestamp);
    return { customer: toCustomer(statements.getCustomer.get(id) as Row), created: true };
  });
  const link = database.transaction((customerId: string, kind: string, value: string) => {
    if (!statements.getCustomer.get(customerId)) throw new NotFoundError(`Customer ${customerId}`);
    const owner = statements.owner.get(kind, value) as { customer_id: string } | undefined;
    if (owner && owner.customer_id !== customerId) {
      throw new SwitchboardError("IDENTIFIER_TAKEN", "That address belongs to another customer", {
        statusCode: 409,
      });
    }
    if (!owner) statements.insertIdentifier.run(kind, value, customerId, now());
  });
  const merge = database.transaction((intoId: string, fromId: string) => {
    if (!statements.getCustomer.get(intoId)) throw new NotFoundError(`Customer ${intoId}`);
    if (!statements.getCustomer.get(fromId)) throw new NotFoundError(`Customer ${fromId}`);
    statements.moveIdentifiers.run(intoId, fromId);
    statements.deleteVerifications.run(fromId);
    statements.deleteCustomer.run(fromId);
  });
  const erase = database.transaction((id: string) => {
    statements.deleteIdentifiers.run(id);
    statements.deleteVerifications.run(id);
    statements.deleteCustomer.run(id);
  });

  return {
    async resolveCustomer(kind, value) {
      // A known address needs no write (and no write lock); a new one is created atomically.
      const known = findOwner(kind, value);
      return known ? { customer: known, created: false } : resolve(kind, value);
    },
    async findCustomerByIdentifier(kind, value) {
      return findOwner(kind, value);
    },
    async getCustomer(id) {
      const row = statements.getCustomer.get(id) as Row | undefined;
      return row ? toCustomer(row) : undefined;
    },
    async updateCustomer(id, patch) {
      const row = statements.getCustomer.get(id) as Row | undefined;
      if (!row) throw new NotFoundError(`Customer ${id}`);
      const customer = toCustomer(row);
      if (patch.name !== undefined) customer.name = patch.name;
      if (patch.language !== undefined) customer.language = patch.language;
      if (patch.preferences) customer.preferences = { ...customer.preferences, ...patch.preferences };
      customer.updatedAt = Math.max(now(), customer.updatedAt + 1);
      statements.updateCustomer.run(
        customer.name,
        customer.language,
        JSON.stringify(customer.preferences),
        customer.updatedAt,
        id,
      );
      return customer;
    },
    async listIdentifiers(customerId) {
      return (statements.listIdentifiers.all(customerId) as Row[]).map(
        (row): CustomerIdentifier => ({
          kind: row.kind as CustomerIdentifier["kind"],
          value: String(row.value),
          customerId: String(row.customer_id),
          createdAt: Number(row.created_at),
        }),
      );
    },
    async linkIdentifier(customerId, kind, value) {
      link(customerId, kind, value);
    },
    async mergeCustomers(intoId, fromId) {
      merge(intoId, fromId);
    },
    async deleteCustomer(id) {
      erase(id);
    },
    async saveVerification(verification) {
      statements.saveVerification.run(
        verification.id,
        verification.customerId,
        verification.kind,
        verification.value,
        verification.codeHash,
        verification.conversationId,
        verification.attempts,
        verification.expiresAt,
        verification.createdAt,
      );
    },
    async listVerifications(customerId) {
      return (statements.listVerifications.all(customerId) as Row[]).map(toVerification);
    },
    async listVerificationsForAddress(kind, value) {
      return (statements.listVerificationsForAddress.all(kind, value) as Row[]).map(toVerification);
    },
    async countVerificationAttempt(id) {
      const row = statements.countAttempt.get(id) as { attempts: number } | undefined;
      return row?.attempts;
    },
    async deleteVerification(id) {
      statements.deleteVerification.run(id);
    },
    async forgetVerificationsBefore(createdBefore, limit) {
      return Number(statements.forgetVerifications.run(createdBefore, limit).changes);
    },
    async appendAudit(entry) {
      const stored: AuditEntry = { ...entry, id: newId("aud"), at: now() };
      statements.insertAudit.run(
        stored.id,
        stored.customerId,
        stored.action,
        JSON.stringify(stored.detail),
        stored.at,
      );
      return stored;
    },
    async listAudit(customerId) {
      return (statements.listAudit.all(customerId) as Row[]).map(
        (row): AuditEntry => ({
          id: String(row.id),
          customerId: String(row.customer_id),
          action: row.action as AuditEntry["action"],
          detail: JSON.parse(String(row.detail)) as AuditEntry["detail"],
          at: Number(row.at),
        }),
      );
    },
  };
}

function toVerification(row: Row): PendingVerification {
  return {
    id: String(row.id),
    customerId: String(row.customer_id),
    kind: row.kind as PendingVerification["kind"],
    value: String(row.value),
    codeHash: String(row.code_hash),
    conversationId: (row.conversation_id as string | null) ?? null,
    attempts: Number(row.attempts),
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}

function toCustomer(row: Row): Customer {
  return {
    id: String(row.id),
    name: (row.name as string | null) ?? null,
    language: (row.language as string | null) ?? null,
    preferences: JSON.parse(String(row.preferences)) as Record<string, string>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
