import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { NotFoundError } from "../../errors/not-found-error.js";
import { SwitchboardError } from "../../errors/switchboard-error.js";
import type { Conversation, ConversationStore } from "../../ports/conversation-store.js";
import { byCallStart } from "../call-session-order.js";
import { newConversation } from "../new-conversation.js";
import { createMonotonicClock } from "../store-clock.js";
import { createDynamoDbCallSessions } from "./dynamodb-call-sessions.js";
import {
  allConversationsPartition,
  conversationItem,
  conversationKeys,
  customerPartition,
  externalRefPartition,
  metadataMergeExpression,
  recencyUpdate,
  toConversation,
} from "./dynamodb-conversation-items.js";
import {
  type DynamoDbTableAccess,
  deleteItems,
  getItem,
  isConditionalCheckFailed,
  queryItems,
} from "./dynamodb-items.js";
import { createDynamoDbMessages } from "./dynamodb-messages.js";
import { indexNames } from "./dynamodb-table.js";

/**
 * Conversations, messages and call sessions in the single DynamoDB table. Several server nodes may
 * share it: sequences come from an atomic counter on the conversation item, and `updatedAt` only
 * moves forward. Lists by time read the GSIs, which DynamoDB updates eventually (milliseconds).
 */
export function createDynamoDbConversationStore(
  options: DynamoDbTableAccess & { client: DynamoDBClient },
): ConversationStore {
  const { documentClient, tableName } = options;
  const now = createMonotonicClock();
  const calls = createDynamoDbCallSessions(options, now);
  const messages = createDynamoDbMessages(options, now);

  const latestIn = async (index: string, partitionAttribute: string, partition: string) => {
    const [item] = await queryItems(
      options,
      {
        IndexName: index,
        KeyConditionExpression: `${partitionAttribute} = :partition`,
        ExpressionAttributeValues: { ":partition": partition },
        ScanIndexForward: false,
        Limit: 1,
      },
      1,
    );
    return item ? toConversation(item) : undefined;
  };

  return {
    kind: "dynamodb",
    async createConversation(input) {
      const timestamp = now();
      const conversation: Conversation = newConversation(input, timestamp);
      try {
        await documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: conversationItem(conversation),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        throw new SwitchboardError("CONVERSATION_EXISTS", `Conversation ${conversation.id} already exists`, {
          statusCode: 409,
        });
      }
      return structuredClone(conversation);
    },
    async getConversation(id) {
      const item = await getItem(options, conversationKeys.conversation(id));
      return item ? toConversation(item) : undefined;
    },
    async findLatestConversationByExternalRef(externalRef) {
      return latestIn(indexNames.lookup, "gsi2pk", externalRefPartition(externalRef));
    },
    async findLatestConversationByCustomer(customerId) {
      return latestIn(indexNames.owner, "gsi3pk", customerPartition(customerId));
    },
    async listConversations(listOptions = {}) {
      const byCustomer = listOptions.customerId !== undefined;
      const [index, number, partition] = byCustomer
        ? [indexNames.owner, 3, customerPartition(listOptions.customerId ?? "")]
        : [indexNames.recency, 1, allConversationsPartition];
      const before = listOptions.before;
      const limit = listOptions.limit ?? 50;
      if (limit <= 0) return [];
      const items = await queryItems(
        options,
        {
          IndexName: index,
          KeyConditionExpression:
            before === undefined
              ? `gsi${number}pk = :partition`
              : `gsi${number}pk = :partition AND gsi${number}sk < :before`,
          ExpressionAttributeValues: {
            ":partition": partition,
            ...(before === undefined ? {} : { ":before": String(before).padStart(15, "0") }),
          },
          ScanIndexForward: false,
          Limit: limit,
        },
        limit,
      );
      return items.map(toConversation);
    },
    async updateConversation(id, patch) {
      const merge = metadataMergeExpression(patch.metadata);
      const customer =
        patch.customerId === undefined
          ? { set: [], remove: [], values: {} }
          : patch.customerId === null
            ? { set: ["customerId = :customerId"], remove: ["gsi3pk"], values: { ":customerId": null } }
            : {
                set: ["customerId = :customerId", "gsi3pk = :customerPartition"],
                remove: [],
                values: {
                  ":customerId": patch.customerId,
                  ":customerPartition": customerPartition(patch.customerId),
                },
              };
      let timestamp = now();
      for (let attempt = 0; ; attempt++) {
        const recency = recencyUpdate(id, timestamp);
        try {
          const result = await documentClient.send(
            new UpdateCommand({
              TableName: tableName,
              Key: conversationKeys.conversation(id),
              UpdateExpression:
                `SET ${[recency.assignment, ...customer.set, ...merge.assignments].join(", ")}` +
                (customer.remove.length > 0 ? ` REMOVE ${customer.remove.join(", ")}` : ""),
              ConditionExpression: "attribute_exists(pk) AND updatedAt < :updatedAt",
              ExpressionAttributeNames: Object.keys(merge.names).length > 0 ? merge.names : undefined,
              ExpressionAttributeValues: { ...recency.values, ...customer.values, ...merge.values },
              ReturnValues: "ALL_NEW",
            }),
          );
          return toConversation(result.Attributes ?? {});
        } catch (error) {
          if (!isConditionalCheckFailed(error) || attempt >= 20) throw error;
          // Missing, or another node stored a later updatedAt: go past it (updatedAt never moves back).
          const current = await getItem(options, conversationKeys.conversation(id));
          if (!current) throw new NotFoundError(`Conversation ${id}`);
          timestamp = Math.max(now(), Number(current.updatedAt) + 1);
        }
      }
    },
    async listCallSessions(conversationId) {
      // The conversation's partition holds a CALL# pointer for each of its calls.
      const pointers = await queryItems(options, {
        ConsistentRead: true,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :call)",
        ExpressionAttributeValues: {
          ":pk": conversationKeys.conversation(conversationId).pk,
          ":call": "CALL#",
        },
        ProjectionExpression: "#sk",
        ExpressionAttributeNames: { "#sk": "sk" },
      });
      const sessions = [];
      for (const pointer of pointers) {
        const session = await calls.get(String(pointer.sk).slice("CALL#".length));
        if (session?.conversationId === conversationId) sessions.push(session);
      }
      return sessions.sort(byCallStart);
    },
    async deleteConversation(id) {
      // A strongly consistent read of the partition: a message written a moment ago is erased too.
      const items = await queryItems(options, {
        ConsistentRead: true,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": conversationKeys.conversation(id).pk },
        ProjectionExpression: "#pk, #sk, #id",
        ExpressionAttributeNames: { "#pk": "pk", "#sk": "sk", "#id": "id" },
      });
      const keys: Array<{ pk: string; sk: string }> = [];
      for (const item of items) {
        const sk = String(item.sk);
        if (sk.startsWith("MSG#")) keys.push(conversationKeys.messagePointer(String(item.id)));
        if (sk.startsWith("CALL#")) await calls.deleteIfOwnedBy(sk.slice("CALL#".length), id);
        if (sk !== "CONV") keys.push({ pk: String(item.pk), sk });
      }
      await deleteItems(options, keys);
      await deleteItems(options, [conversationKeys.conversation(id)]);
    },
    appendMessage: messages.append,
    updateMessage: messages.update,
    listMessages: messages.list,
    upsertCallSession: calls.upsert,
    getCallSession: calls.get,
    endCallSession: calls.end,
    async ping() {
      await options.client.send(new DescribeTableCommand({ TableName: tableName }));
    },
    /** The client is shared with the other stores: `createDynamoDbStores(…).close()` releases it. */
    async close() {},
  };
}
