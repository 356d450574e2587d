import { SwitchboardError } from "../errors/switchboard-error.js";

/** `createConversation` with an explicit `id` that is already taken: a 409, nothing overwritten. */
export function conversationExistsError(id: string): SwitchboardError {
  return new SwitchboardError("CONVERSATION_EXISTS", `Conversation ${id} already exists`, {
    statusCode: 409,
  });
}
