import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ConversationStore } from "../../ports/conversation-store.js";
import type { CustomerStore } from "../../ports/customer-store.js";
import type { MessagingStateStore } from "../../ports/messaging-state-store.js";
import type { OutboxStore } from "../../ports/outbox-store.js";
import { createDynamoDbConversationStore } from "./dynamodb-conversation-store.js";
import { createDynamoDbCustomerStore } from "./dynamodb-customer-store.js";
import { createDynamoDbMessagingStateStore } from "./dynamodb-messaging-state-store.js";
import { createDynamoDbOutboxStore } from "./dynamodb-outbox-store.js";
import { createMainTableIfMissing, mainTableName } from "./dynamodb-table.js";

export interface CreateDynamoDbStoresOptions {
  /** `DYNAMODB_TABLE_PREFIX`: the table is `${tablePrefix}-main`. */
  tablePrefix: string;
  /** A DynamoDB-compatible endpoint (dynalite, DynamoDB Local); omit for AWS. */
  endpoint?: string;
  region?: string;
  /** A client to use (and not destroy on close); otherwise one is created from endpoint/region. */
  client?: DynamoDBClient;
  /** Creates the table (on-demand) when missing and waits until it is ACTIVE. */
  createTableIfMissing?: boolean;
  /** Told what the start could not set up, e.g. TTL when the role may not turn it on. */
  onWarning?: (message: string) => void;
}

export interface DynamoDbStores {
  conversations: ConversationStore;
  customers: CustomerStore;
  outbox: OutboxStore;
  messagingState: MessagingStateStore;
  close(): Promise<void>;
}

/** The conversation, outbox and messaging-state stores on one DynamoDB table, sharing one client. */
export async function createDynamoDbStores(options: CreateDynamoDbStoresOptions): Promise<DynamoDbStores> {
  const ownsClient = options.client === undefined;
  const client =
    options.client ??
    new DynamoDBClient({
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.region === undefined ? {} : { region: options.region }),
    });
  const tableName = mainTableName(options.tablePrefix);
  try {
    if (options.createTableIfMissing)
      await createMainTableIfMissing(client, tableName, { onWarning: options.onWarning });
  } catch (error) {
    if (ownsClient) client.destroy();
    throw error;
  }
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const access = { documentClient, tableName };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (ownsClient) client.destroy();
  };
  return {
    conversations: createDynamoDbConversationStore({ ...access, client }),
    customers: createDynamoDbCustomerStore(access),
    outbox: createDynamoDbOutboxStore(access),
    messagingState: createDynamoDbMessagingStateStore(access),
    close,
  };
}
