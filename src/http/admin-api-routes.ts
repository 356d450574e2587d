import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { BadRequestError } from "../errors/bad-request-error.js";
import { NotFoundError } from "../errors/not-found-error.js";
import { SwitchboardError } from "../errors/switchboard-error.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { CustomerStore } from "../ports/customer-store.js";
import type { InboundEvent, MessagingStateStore } from "../ports/messaging-state-store.js";
import type { OutboxStatus, OutboxStore } from "../ports/outbox-store.js";
import { eraseConversation } from "../retention/erase-conversation.js";
import { bearerTokenCheck } from "./bearer-token.js";

const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
});

const outboxStatuses = ["pending", "sending", "sent", "delivered", "undelivered", "failed", "dead"] as const;
const outboxQuerySchema = z.object({
  status: z.enum(outboxStatuses).optional() as z.ZodType<OutboxStatus | undefined>,
  conversationId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** What the admin API needs of the messaging inbox (the InboundQueue). */
export interface FailedInbox {
  listFailed(): Promise<Array<InboundEvent & { failures: number; waitingForOperator: boolean }>>;
  retryFailed(provider: string, eventId: string): Promise<boolean>;
}

/** `/api/...`: JSON for the dashboard and scripts, behind `Authorization: Bearer $ADMIN_TOKEN`. */
export function registerAdminApiRoutes(
  app: FastifyInstance,
  dependencies: {
    store: ConversationStore;
    customers: CustomerStore;
    outbox: OutboxStore;
    /** Email threads, forgotten with an erased conversation. */
    messagingState: MessagingStateStore;
    /** The messaging inbox: events whose handling failed, and another try at an operator's request. */
    inbox: FailedInbox;
    /** Tells the outbox worker that an entry is due now. */
    wakeOutbox: () => void;
    adminToken: string;
  },
): void {
  const { store, outbox, customers } = dependencies;
  const checkToken = bearerTokenCheck(dependencies.adminToken, "admin token", "ADMIN_TOKEN");

  app.register(async (api) => {
    api.addHook("onRequest", async (request: FastifyRequest) => {
      checkToken(request.headers.authorization);
    });

    api.get("/api/inbox/failed", async () => {
      const events = await dependencies.inbox.listFailed();
      return { events };
    });

    api.post<{ Params: { provider: string; eventId: string } }>(
      "/api/inbox/failed/:provider/:eventId/retry",
      async (request, reply) => {
        const { provider, eventId } = request.params;
        if (!(await dependencies.inbox.retryFailed(provider, eventId)))
          throw new NotFoundError(`Inbox event ${provider}/${eventId}`);
        reply.code(202);
        return { retrying: true };
      },
    );

    api.get("/api/conversations", async (request) => {
      const query = listQuerySchema.safeParse(request.query);
      if (!query.success)
        throw new BadRequestError(`Invalid query: ${query.error.issues[0]?.message ?? "invalid"}`);
      const conversations = await store.listConversations(query.data);
      return { conversations };
    });

    api.get<{ Params: { id: string } }>("/api/conversations/:id", async (request) => {
      const conversation = await store.getConversation(request.params.id);
      if (!conversation) throw new NotFoundError(`Conversation ${request.params.id}`);
      const messages = await store.listMessages(conversation.id);
      const outbound = await outbox.listOutbound({ conversationId: conversation.id });
      return { conversation, messages, outbox: outbound };
    });

    api.get("/api/outbox", async (request) => {
      const query = outboxQuerySchema.safeParse(request.query);
      if (!query.success)
        throw new BadRequestError(`Invalid query: ${query.error.issues[0]?.message ?? "invalid"}`);
      return { outbox: await outbox.listOutbound(query.data) };
    });

    // Another try for a message that never reached the provider, once its cause is fixed.
    api.post<{ Params: { id: string } }>("/api/outbox/:id/retry", async (request, reply) => {
      const result = await outbox.requeueOutbound(request.params.id, Date.now());
      if (!result) throw new NotFoundError(`Outbox entry ${request.params.id}`);
      if (!result.requeued)
        throw new SwitchboardError(
          "OUTBOX_NOT_RETRYABLE",
          `Outbox entry ${result.entry.id} is ${result.entry.status}: only a failed or dead message can be sent again`,
          { statusCode: 409 },
        );
      request.log.info({ outboxId: result.entry.id }, "outbox: entry requeued by an operator");
      dependencies.wakeOutbox();
      reply.code(202);
      return { entry: result.entry };
    });

    api.get<{ Params: { id: string } }>("/api/customers/:id", async (request) => {
      const customer = await customers.getCustomer(request.params.id);
      if (!customer) throw new NotFoundError(`Customer ${request.params.id}`);
      const identifiers = await customers.listIdentifiers(customer.id);
      const conversations = await store.listConversations({ customerId: customer.id, limit: 200 });
      return { customer, identifiers, conversations };
    });

    // Privacy: everything held about a customer, as JSON.
    api.get<{ Params: { id: string } }>("/api/customers/:id/export", async (request, reply) => {
      const customer = await customers.getCustomer(request.params.id);
      if (!customer) throw new NotFoundError(`Customer ${request.params.id}`);
      const conversations = [];
      for (const conversation of await store.listConversations({ customerId: customer.id, limit: 10_000 })) {
        conversations.push({
          conversation,
          messages: await store.listMessages(conversation.id),
          calls: await store.listCallSessions(conversation.id),
          outbox: await outbox.listOutbound({ conversationId: conversation.id, limit: 10_000 }),
        });
      }
      const identifiers = await customers.listIdentifiers(customer.id);
      // Which of their addresses asked for no more messages (STOP, a bounce, an unsubscribe).
      const optOuts = [];
      for (const identifier of identifiers) {
        const channel = identifier.kind === "phone" ? "sms" : "email";
        if (await dependencies.messagingState.isOptedOut(identifier.value, channel))
          optOuts.push({ address: identifier.value, channel });
      }
      // Codes they asked for and have not read back (the code's hash is of no use to them).
      const verifications = (await customers.listVerifications(customer.id)).map(
        ({ codeHash: _codeHash, ...verification }) => verification,
      );
      reply.header("content-disposition", `attachment; filename="${customer.id}.json"`);
      return {
        exportedAt: new Date().toISOString(),
        customer,
        identifiers,
        conversations,
        optOuts,
        verifications,
        audit: await customers.listAudit(customer.id),
      };
    });

    // Privacy: erase messages, conversations and identifiers; the audit keeps an entry without content.
    api.delete<{ Params: { id: string } }>("/api/customers/:id", async (request, reply) => {
      const customer = await customers.getCustomer(request.params.id);
      if (!customer) throw new NotFoundError(`Customer ${request.params.id}`);
      const conversations = await store.listConversations({ customerId: customer.id, limit: 10_000 });
      for (const conversation of conversations)
        await eraseConversation(
          { store, outbox, messagingState: dependencies.messagingState },
          conversation.id,
        );
      const identifiers = await customers.listIdentifiers(customer.id);
      await customers.deleteCustomer(customer.id);
      // Codes others asked to send to their addresses: those addresses are erased too.
      for (const identifier of identifiers)
        for (const verification of await customers.listVerificationsForAddress(
          identifier.kind,
          identifier.value,
        ))
          await customers.deleteVerification(verification.id);
      await customers.appendAudit({
        customerId: customer.id,
        action: "customer-erased",
        detail: { conversations: conversations.length },
      });
      return reply.code(200).send({ erased: true, conversations: conversations.length });
    });

    api.get<{ Params: { callSid: string } }>("/api/calls/:callSid", async (request) => {
      const call = await store.getCallSession(request.params.callSid);
      if (!call) throw new NotFoundError(`Call ${request.params.callSid}`);
      return { call };
    });
  });
}
