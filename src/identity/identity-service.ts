import { createHash, randomInt, randomUUID } from "node:crypto";
import type { Logger } from "../observability/logger.js";
import type { ChannelName } from "../ports/channel.js";
import type { Conversation, ConversationStore } from "../ports/conversation-store.js";
import type {
  Customer,
  CustomerStore,
  IdentifierKind,
  PendingVerification,
} from "../ports/customer-store.js";
import type { NewOutboxEntry, OutboxEntry } from "../ports/outbox-store.js";
import { maskAddress } from "./mask-address.js";
import { normalizeIdentifier } from "./normalize-identifier.js";

export interface IdentityServiceOptions {
  customers: CustomerStore;
  conversations: ConversationStore;
  enqueueOutbound: (entry: NewOutboxEntry) => Promise<OutboxEntry>;
  logger: Logger;
  defaultRegion?: string;
  codeTtlMs?: number;
  maxAttempts?: number;
  /** Injectable for tests; returns a 6-digit code. */
  generateCode?: () => string;
  /** Called when an inbound address is resolved to a customer (analytics). */
  onCustomerResolved?: (customer: Customer, channel: ChannelName) => void;
}

export type VerificationStartResult =
  | { status: "sent"; kind: IdentifierKind; masked: string }
  | { status: "already-yours"; kind: IdentifierKind; masked: string }
  | { status: "invalid"; reason: string }
  | { status: "too-many"; reason: string };

/** Codes sent within an hour: to one address, and for one customer (texts cost money; codes harass). */
const codesPerAddressPerHour = 3;
const codesPerCustomerPerHour = 5;
const hourMs = 60 * 60_000;

export type VerificationConfirmResult =
  | { status: "linked" | "merged"; kind: IdentifierKind; masked: string }
  | { status: "wrong-code"; attemptsLeft: number }
  | { status: "expired" | "none" | "too-many-attempts" };

/**
 * Who is this? Resolves phone numbers and emails to customers (one timeline per customer), and
 * links a new address only after a one-time code sent to it is read back (or the customer replies
 * from it with the code). Every link and merge is audited.
 */
export class IdentityService {
  private readonly options: Required<Omit<IdentityServiceOptions, "generateCode" | "onCustomerResolved">> &
    Pick<IdentityServiceOptions, "onCustomerResolved"> & { generateCode: () => string };

  constructor(options: IdentityServiceOptions) {
    this.options = {
      defaultRegion: "US",
      codeTtlMs: 10 * 60_000,
      maxAttempts: 5,
      generateCode: () => String(randomInt(0, 1_000_000)).padStart(6, "0"),
      ...options,
    };
  }

  normalize(kind: IdentifierKind, raw: string): string | undefined {
    return normalizeIdentifier(kind, raw, this.options.defaultRegion);
  }

  /**
   * An address a provider reports as the sender (a caller's `From`, an SMS `From`): a phone number
   * only when it is written as one. `sip:+1415…@domain`, `client:+1415…` or `messenger:…` are other
   * kinds of caller, chosen by whoever calls, and never stand for the number inside them.
   */
  private normalizeSender(kind: IdentifierKind, raw: string): string | undefined {
    if (kind === "phone" && /[^\d\s()+.-]/.test(raw)) return undefined;
    return this.normalize(kind, raw);
  }

  /**
   * The customer owning this address (created if new) and their current conversation — their
   * cross-channel timeline — started on `channel` if they have none. Addresses that are not valid
   * (e.g. a withheld caller id) get a conversation without a customer.
   */
  async resolveConversation(
    kind: IdentifierKind,
    raw: string,
    channel: ChannelName,
  ): Promise<{ customer: Customer | undefined; conversation: Conversation }> {
    const { customers, conversations } = this.options;
    const value = this.normalizeSender(kind, raw);
    if (!value) {
      const conversation = await conversations.createConversation({ channel, externalRef: raw || null });
      return { customer: undefined, conversation };
    }
    const { customer, created } = await customers.resolveCustomer(kind, value);
    if (created)
      await customers.appendAudit({
        customerId: customer.id,
        action: "customer-created",
        detail: { kind, channel },
      });
    this.options.onCustomerResolved?.(customer, channel);
    const conversation =
      (await conversations.findLatestConversationByCustomer(customer.id)) ??
      (await conversations.createConversation({ channel, customerId: customer.id, externalRef: value }));
    return { customer, conversation };
  }

  /** The customer's own (verified) addresses. */
  async addressesOf(conversation: Conversation): Promise<{ phones: string[]; emails: string[] }> {
    const phones = new Set<string>();
    const emails = new Set<string>();
    if (conversation.customerId) {
      for (const identifier of await this.options.customers.listIdentifiers(conversation.customerId)) {
        if (identifier.kind === "phone") phones.add(identifier.value);
        if (identifier.kind === "email") emails.add(identifier.value);
      }
    } else if (conversation.externalRef) {
      const ref = conversation.externalRef;
      const phone = this.normalizeSender("phone", ref);
      const email = this.normalizeSender("email", ref);
      if (phone) phones.add(phone);
      if (email) emails.add(email);
    }
    return { phones: [...phones], emails: [...emails] };
  }

  /** Sends a one-time code to an address the customer says is theirs. */
  async startVerification(input: {
    customerId: string;
    conversationId: string;
    kind: IdentifierKind;
    value: string;
  }): Promise<VerificationStartResult> {
    const { customers, enqueueOutbound } = this.options;
    const value = this.normalize(input.kind, input.value);
    if (!value)
      return {
        status: "invalid",
        reason: `That is not a valid ${input.kind === "email" ? "email address" : "phone number"}.`,
      };
    const masked = maskAddress(value);
    const owner = await customers.findCustomerByIdentifier(input.kind, value);
    if (owner?.id === input.customerId) return { status: "already-yours", kind: input.kind, masked };
    const since = Date.now() - hourMs;
    const recent = (list: readonly { createdAt: number }[]) =>
      list.filter((entry) => entry.createdAt > since).length;
    if (
      recent(await customers.listVerificationsForAddress(input.kind, value)) >= codesPerAddressPerHour ||
      recent(await customers.listVerifications(input.customerId)) >= codesPerCustomerPerHour
    ) {
      await customers.appendAudit({
        customerId: input.customerId,
        action: "verification-refused",
        detail: { kind: input.kind, address: masked, reason: "too many codes within an hour" },
      });
      return {
        status: "too-many",
        reason: "Too many codes were sent recently. Please try again in an hour.",
      };
    }
    const code = this.options.generateCode();
    const id = `ver_${randomUUID().replaceAll("-", "")}`;
    const now = Date.now();
    await customers.saveVerification({
      id,
      customerId: input.customerId,
      kind: input.kind,
      value,
      codeHash: hashCode(id, code),
      conversationId: input.conversationId,
      attempts: 0,
      expiresAt: now + this.options.codeTtlMs,
      createdAt: now,
    });
    const text = `Your Switchboard verification code is ${code}. Read it back to the assistant to link this ${input.kind === "email" ? "address" : "number"}; it expires in ${Math.round(this.options.codeTtlMs / 60_000)} minutes. Never give it to anyone else: whoever reads it back gets this ${input.kind === "email" ? "address" : "number"}'s conversations. If you did not ask for it, ignore this message.`;
    await enqueueOutbound({
      idempotencyKey: `verification:${id}`,
      conversationId: input.conversationId,
      payload:
        input.kind === "email"
          ? { kind: "email", to: value, subject: "Your verification code", text }
          : { kind: "sms", to: value, body: text },
    });
    await customers.appendAudit({
      customerId: input.customerId,
      action: "verification-started",
      detail: { kind: input.kind, address: masked, ownedByAnother: owner !== undefined },
    });
    return { status: "sent", kind: input.kind, masked };
  }

  /** Checks a code read back by the customer against their latest pending verification. */
  async confirmVerification(customerId: string, code: string): Promise<VerificationConfirmResult> {
    const [latest] = await this.options.customers.listVerifications(customerId);
    if (!latest) return { status: "none" };
    return this.confirmPending(latest, code);
  }

  /**
   * The customer replied from the address being verified with the code alone: link it. Returns true
   * when a verification was completed. A message that only mentions a code ("Who is this? I did not
   * ask for 588266") confirms nothing: someone else may have asked for it. Only the codes sent to
   * that very address are compared.
   */
  async confirmFromInbound(kind: IdentifierKind, raw: string, text: string): Promise<boolean> {
    const value = this.normalizeSender(kind, raw);
    if (!value) return false;
    const onlyCode = /^\s*(?:(?:my |the )?code(?: is)?:?\s*)?(\d{3})[\s-]?(\d{3})\s*\.?\s*$/i.exec(text);
    if (!onlyCode) return false;
    const code = `${onlyCode[1]}${onlyCode[2]}`;
    for (const verification of await this.options.customers.listVerificationsForAddress(kind, value)) {
      const result = await this.confirmPending(verification, code);
      if (result.status === "linked" || result.status === "merged") return true;
    }
    return false;
  }

  /** One verification against one code: expiry, the attempt limit, then the code itself. */
  private async confirmPending(
    verification: PendingVerification,
    code: string,
  ): Promise<VerificationConfirmResult> {
    const { customers } = this.options;
    const { customerId } = verification;
    if (verification.expiresAt < Date.now()) {
      await customers.deleteVerification(verification.id);
      return { status: "expired" };
    }
    if (verification.attempts >= this.options.maxAttempts) return { status: "too-many-attempts" };
    // Every attempt is counted before the code is compared, atomically in the store: guesses made
    // at once (on several servers) cannot all see the count before any of them.
    const attempts = await customers.countVerificationAttempt(verification.id);
    if (attempts === undefined) return { status: "none" };
    if (attempts > this.options.maxAttempts) return { status: "too-many-attempts" };
    if (hashCode(verification.id, code.replace(/\D/g, "")) !== verification.codeHash) {
      await customers.appendAudit({
        customerId,
        action: "verification-failed",
        detail: { kind: verification.kind, attempts },
      });
      return { status: "wrong-code", attemptsLeft: Math.max(0, this.options.maxAttempts - attempts) };
    }
    await customers.deleteVerification(verification.id);
    return this.link(customerId, verification.kind, verification.value);
  }

  private async link(
    customerId: string,
    kind: IdentifierKind,
    value: string,
  ): Promise<VerificationConfirmResult> {
    const { customers, conversations } = this.options;
    const masked = maskAddress(value);
    const owner = await customers.findCustomerByIdentifier(kind, value);
    if (owner && owner.id !== customerId) {
      for (const conversation of await conversations.listConversations({
        customerId: owner.id,
        limit: 1000,
      })) {
        await conversations.updateConversation(conversation.id, { customerId });
      }
      await customers.mergeCustomers(customerId, owner.id);
      await customers.appendAudit({
        customerId,
        action: "customers-merged",
        detail: { mergedCustomerId: owner.id, via: kind },
      });
      this.options.logger.info(
        { customerId, mergedCustomerId: owner.id },
        "identity: customers merged after verification",
      );
      return { status: "merged", kind, masked };
    }
    await customers.linkIdentifier(customerId, kind, value);
    await customers.appendAudit({
      customerId,
      action: "identifier-linked",
      detail: { kind, address: masked },
    });
    return { status: "linked", kind, masked };
  }
}

function hashCode(verificationId: string, code: string): string {
  return createHash("sha256").update(`${verificationId}:${code}`).digest("hex");
}
