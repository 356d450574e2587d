import { createMemoryConversationStore } from "../../src/stores/memory/create-memory-conversation-store.js";
import { conversationStoreContract } from "./conversation-store-contract.js";

conversationStoreContract("memory", async () => ({
  store: createMemoryConversationStore(),
  cleanup: async () => {},
}));
