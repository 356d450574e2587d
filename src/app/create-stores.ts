import path from "node:path";
import type { Config } from "../config/config.js";
import type { Logger } from "../observability/logger.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { CustomerStore } from "../ports/customer-store.js";
import type { MessagingStateStore } from "../ports/messaging-state-store.js";
import type { OutboxStore } from "../ports/outbox-store.js";
import { createMemoryConversationStore } from "../stores/memory/create-memory-conversation-store.js";
import { createMemoryCustomerStore } from "../stores/memory/create-memory-customer-store.js";
import { createMemoryMessagingStateStore } from "../stores/memory/create-memory-messaging-state-store.js";
import { createMemoryOutboxStore } from "../stores/memory/create-memory-outbox-store.js";
import { createSqliteConversationStore } from "../stores/sqlite/create-sqlite-conversation-store.js";
import { createSqliteCustomerStore } from "../stores/sqlite/create-sqlite-customer-store.js";
import { createSqliteMessagingStateStore } from "../stores/sqlite/create-sqlite-messaging-state-store.js";
import { createSqliteOutboxStore } from "../stores/sqlite/create-sqlite-outbox-store.js";
import { openSqliteDatabase } from "../stores/sqlite/open-sqlite-database.js";

/** Every store the app uses, on one backend. */
export interface Stores {
  conversations: ConversationStore;
  customers: CustomerStore;
  outbox: OutboxStore;
  messagingState: MessagingStateStore;
  /**
   * Resolves once every write made so far is durable. SQLite commits writes in groups (one fsync
   * per event-loop turn); the memory and DynamoDB stores are durable when a write resolves.
   */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function createStores(config: Readonly<Config>, logger: Logger): Promise<Stores> {
  switch (config.store.kind) {
    case "memory":
      return {
        conversations: createMemoryConversationStore(),
        customers: createMemoryCustomerStore(),
        outbox: createMemoryOutboxStore(),
        messagingState: createMemoryMessagingStateStore(),
        flush: () => Promise.resolve(),
        async close() {},
      };
    case "sqlite": {
      const database = openSqliteDatabase(path.join(config.dataDirectory, "switchboard.db"), {
        onCheckpointerFailure: (error) =>
          logger.error(
            { err: error },
            "sqlite: WAL checkpoint thread stopped; checkpointing in COMMIT again",
          ),
      });
      const conversations = createSqliteConversationStore({ database });
      return {
        conversations,
        customers: createSqliteCustomerStore({ database }),
        outbox: createSqliteOutboxStore({ database }),
        messagingState: createSqliteMessagingStateStore({ database }),
        flush: () => database.flush(),
        async close() {
          await conversations.close();
          await database.close();
        },
      };
    }
    case "dynamodb": {
      // Loaded only when selected: the AWS SDK costs start-up time on the embedded default.
      const { createDynamoDbStores } = await import("../stores/dynamodb/create-dynamodb-stores.js");
      const dynamoDbStores = await createDynamoDbStores({
        tablePrefix: config.store.dynamoTablePrefix,
        endpoint: config.store.dynamoEndpoint,
        region: config.llm.awsRegion,
        createTableIfMissing: true,
        onWarning: (message) => logger.warn(message),
      });
      return { ...dynamoDbStores, flush: () => Promise.resolve() };
    }
  }
}
