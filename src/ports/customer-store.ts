/** How a customer is reached: a phone number (E.164), an email address (lower-case) or a web session id. */
export type IdentifierKind = "phone" | "email" | "web";

export interface Customer {
  id: string;
  name: string | null;
  language: string | null;
  /** Free-form preferences the agent may read and update (e.g. `contact: "sms"`). */
  preferences: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface CustomerIdentifier {
  kind: IdentifierKind;
  /** Normalised value (see `normalizeIdentifier`). */
  value: string;
  customerId: string;
  createdAt: number;
}

/** A one-time code sent to an address the customer claims, to be read back before linking. */
export interface PendingVerification {
  id: string;
  customerId: string;
  kind: IdentifierKind;
  value: string;
  /** SHA-256 of the code; the code itself is never stored. */
  codeHash: string;
  conversationId: string | null;
  attempts: number;
  expiresAt: number;
  createdAt: number;
}

export type AuditAction =
  | "customer-created"
  | "identifier-linked"
  | "customers-merged"
  | "verification-started"
  | "verification-failed"
  | "verification-refused"
  | "profile-updated"
  | "customer-erased";

/** Who did what to which customer; never holds message content. */
export interface AuditEntry {
  id: string;
  customerId: string;
  action: AuditAction;
  detail: Record<string, string | number | boolean | null>;
  at: number;
}

export interface CustomerPatch {
  name?: string | null;
  language?: string | null;
  preferences?: Record<string, string>;
}

/**
 * Customers and the identifiers they own. An identifier belongs to at most one customer; linking
 * a new one happens only after verification (the caller enforces that; the store records it).
 */
export interface CustomerStore {
  /** The customer owning this identifier, created (with the identifier) if there is none. */
  resolveCustomer(kind: IdentifierKind, value: string): Promise<{ customer: Customer; created: boolean }>;
  findCustomerByIdentifier(kind: IdentifierKind, value: string): Promise<Customer | undefined>;
  getCustomer(id: string): Promise<Customer | undefined>;
  updateCustomer(id: string, patch: CustomerPatch): Promise<Customer>;
  listIdentifiers(customerId: string): Promise<CustomerIdentifier[]>;
  /** Links an unowned identifier; throws if another customer owns it. */
  linkIdentifier(customerId: string, kind: IdentifierKind, value: string): Promise<void>;
  /** Moves `fromId`'s identifiers to `intoId` and deletes `fromId` (conversations are moved by the caller). */
  mergeCustomers(intoId: string, fromId: string): Promise<void>;
  /** Deletes the customer and their identifiers and verifications (the audit log keeps its entries). */
  deleteCustomer(id: string): Promise<void>;

  saveVerification(verification: PendingVerification): Promise<void>;
  /** Pending verifications of a customer, newest first (expired ones included; the caller checks). */
  listVerifications(customerId: string): Promise<PendingVerification[]>;
  /** Pending verifications of an address, across customers (a reply from that address may carry the code). */
  listVerificationsForAddress(kind: IdentifierKind, value: string): Promise<PendingVerification[]>;
  /**
   * Counts one more attempt at a verification's code, atomically (guesses made at once on several
   * servers each count); the new count, or undefined when the verification is gone.
   */
  countVerificationAttempt(id: string): Promise<number | undefined>;
  deleteVerification(id: string): Promise<void>;
  /**
   * Deletes up to `limit` verifications created before `createdBefore` (long expired: they were
   * kept to count the codes sent recently), resolving with how many it deleted. A store whose
   * records expire by themselves (DynamoDB's TTL) returns 0.
   */
  forgetVerificationsBefore(createdBefore: number, limit: number): Promise<number>;

  appendAudit(entry: Omit<AuditEntry, "id" | "at">): Promise<AuditEntry>;
  listAudit(customerId: string): Promise<AuditEntry[]>;
}
