import { z } from "zod";
import { type AgentTool, defineTool } from "../core/tools/agent-tool.js";
import type { EventWebhooks } from "../webhooks/create-event-webhooks.js";

/**
 * `request_human` on the text channels (SMS, email, web chat), offered only when event webhooks are
 * configured: it sends a `handoff.requested` event to the company's systems (through the outbox), so
 * a person can pick the conversation up. On a call, `transfer_to_human` dials a person instead.
 */
export function createHumanHandoffTools(events: EventWebhooks): AgentTool[] {
  return [
    defineTool({
      name: "request_human",
      description:
        "Ask a person from the team to take over this conversation, when the customer asks for one or you cannot help. Say that someone will get back to them; do not promise when.",
      inputSchema: z.object({
        reason: z.string().min(1).max(500).describe("What the customer needs, for the person who takes over"),
      }),
      channels: ["sms", "email", "web"],
      async execute(input, context) {
        await events.handoffRequested({
          conversationId: context.conversationId,
          customerId: context.customerId,
          channel: context.channel,
          reason: input.reason,
          turnId: context.turnId,
          toolCallId: context.toolCallId,
        });
        return { ok: true, status: "a person has been asked to follow up" };
      },
    }),
  ];
}
