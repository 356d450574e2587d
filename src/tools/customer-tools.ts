import { z } from "zod";
import { type AgentTool, defineTool } from "../core/tools/agent-tool.js";
import { ToolError } from "../errors/tool-error.js";
import type { IdentityService } from "../identity/identity-service.js";
import { identifierKindOf } from "../identity/normalize-identifier.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { CustomerStore } from "../ports/customer-store.js";

/**
 * The customer's profile and the verified linking of a new address: `verify_contact` sends a
 * one-time code to it, `confirm_contact_code` links it once the customer reads the code back.
 */
export function createCustomerTools(dependencies: {
  identity: IdentityService;
  customers: CustomerStore;
  conversations: ConversationStore;
}): AgentTool[] {
  const { identity, customers } = dependencies;

  const customerIdOf = (customerId: string | null): string => {
    if (!customerId) throw new ToolError("This conversation has no known customer yet.", "NO_CUSTOMER");
    return customerId;
  };

  const verifyContact = defineTool({
    name: "verify_contact",
    description:
      "When the customer gives a new email address or phone number of theirs (e.g. 'email me at …'), send a one-time code to it. The address is usable only after they read the code back.",
    inputSchema: z.object({
      address: z.string().min(3).max(200).describe("The email address or phone number"),
    }),
    async execute(input, context) {
      const result = await identity.startVerification({
        customerId: customerIdOf(context.customerId),
        conversationId: context.conversationId,
        kind: identifierKindOf(input.address),
        value: input.address,
      });
      if (result.status === "invalid") throw new ToolError(result.reason, "INVALID_ADDRESS");
      if (result.status === "too-many") throw new ToolError(result.reason, "TOO_MANY_CODES");
      if (result.status === "already-yours") return { status: "already-verified", address: result.masked };
      return {
        status: "code-queued",
        address: result.masked,
        note: "A 6-digit code is on its way to that address. Ask the customer to read it back, then call confirm_contact_code.",
      };
    },
  });

  const confirmContactCode = defineTool({
    name: "confirm_contact_code",
    description: "Check the one-time code the customer read back, and link the address if it matches.",
    inputSchema: z.object({ code: z.string().min(4).max(12) }),
    async execute(input, context) {
      const result = await identity.confirmVerification(customerIdOf(context.customerId), input.code);
      switch (result.status) {
        case "linked":
        case "merged":
          return { status: "verified", address: result.masked };
        case "wrong-code":
          throw new ToolError(
            `That code does not match. ${result.attemptsLeft} attempt(s) left.`,
            "WRONG_CODE",
          );
        case "expired":
          throw new ToolError("That code has expired; send a new one with verify_contact.", "CODE_EXPIRED");
        case "too-many-attempts":
          throw new ToolError(
            "Too many wrong codes; send a new one with verify_contact.",
            "TOO_MANY_ATTEMPTS",
          );
        case "none":
          throw new ToolError("No verification is pending for this customer.", "NO_VERIFICATION");
      }
    },
  });

  const getProfile = defineTool({
    name: "get_customer_profile",
    description:
      "Read the customer's profile: name, language, preferences and their verified contact addresses.",
    inputSchema: z.object({}),
    async execute(_input, context) {
      const customerId = customerIdOf(context.customerId);
      const customer = await customers.getCustomer(customerId);
      if (!customer) throw new ToolError("The customer record was not found.", "NO_CUSTOMER");
      const identifiers = await customers.listIdentifiers(customerId);
      return {
        name: customer.name,
        language: customer.language,
        preferences: customer.preferences,
        contacts: identifiers.map((identifier) => ({ kind: identifier.kind, value: identifier.value })),
      };
    },
  });

  const updateProfile = defineTool({
    name: "update_customer_profile",
    description: "Save the customer's name, preferred language or a preference they stated.",
    inputSchema: z.object({
      name: z.string().min(1).max(100).optional(),
      language: z.string().min(2).max(20).optional(),
      preferences: z.record(z.string().max(50), z.string().max(200)).optional(),
    }),
    async execute(input, context) {
      const customerId = customerIdOf(context.customerId);
      const updated = await customers.updateCustomer(customerId, input);
      await customers.appendAudit({
        customerId,
        action: "profile-updated",
        detail: { fields: Object.keys(input).join(",") },
      });
      return {
        status: "saved",
        name: updated.name,
        language: updated.language,
        preferences: updated.preferences,
      };
    },
  });

  return [verifyContact, confirmContactCode, getProfile, updateProfile];
}
