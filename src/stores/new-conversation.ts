import type { Conversation, NewConversation } from "../ports/conversation-store.js";
import { newId } from "./store-clock.js";

/** A fresh conversation for `input` (metadata copied), as every backend stores it. */
export function newConversation(
  input: NewConversation,
  timestamp: number,
  id = input.id ?? newId("conv"),
): Conversation {
  return {
    id,
    channel: input.channel,
    customerId: input.customerId ?? null,
    externalRef: input.externalRef ?? null,
    createdAt: timestamp,
    updatedAt: timestamp,
    metadata: structuredClone(input.metadata ?? {}),
  };
}
