import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { NotFoundError } from "../../errors/not-found-error.js";
import type {
  AppendOptions,
  MessagePatch,
  NewMessage,
  StoredMessage,
} from "../../ports/conversation-store.js";
import { newId } from "../store-clock.js";
import {
  conversationKeys,
  metadataMergeExpression,
  recencyUpdate,
  toMessage,
} from "./dynamodb-conversation-items.js";
import {
  type DynamoDbTableAccess,
  getItem,
  type Item,
  isConditionalCheckFailed,
  queryItems,
} from "./dynamodb-items.js";

/** Messages of the DynamoDB conversation store: items in the conversation's partition by sequence. */
export function createDynamoDbMessages(access: DynamoDbTableAccess, now: () => number) {
  const { documentClient, tableName } = access;

  /** Takes the next sequence with an atomic ADD; moves updatedAt forward when `timestamp` is later. */
  const allocateSequence = async (conversationId: string, timestamp: number): Promise<number> => {
    const key = conversationKeys.conversation(conversationId);
    const recency = recencyUpdate(conversationId, timestamp);
    try {
      const result = await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: `SET ${recency.assignment} ADD lastSequence :one`,
          ConditionExpression: "attribute_exists(pk) AND updatedAt < :updatedAt",
          ExpressionAttributeValues: { ...recency.values, ":one": 1 },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      return Number(result.Attributes?.lastSequence);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Missing, or updatedAt is already later (a concurrent append elsewhere): only take a sequence.
    try {
      const result = await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: "ADD lastSequence :one",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":one": 1 },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      return Number(result.Attributes?.lastSequence);
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new NotFoundError(`Conversation ${conversationId}`);
      throw error;
    }
  };

  return {
    async append(input: NewMessage, options?: AppendOptions): Promise<StoredMessage> {
      if (options?.after) await options.after;
      const timestamp = now();
      const message: StoredMessage = {
        id: newId("msg"),
        conversationId: input.conversationId,
        sequence: await allocateSequence(input.conversationId, timestamp),
        role: input.role,
        channel: input.channel,
        text: input.text,
        inputKind: input.inputKind ?? null,
        interrupted: input.interrupted ?? false,
        toolCalls: structuredClone(input.toolCalls ?? []),
        toolResults: structuredClone(input.toolResults ?? []),
        createdAt: timestamp,
        metadata: structuredClone(input.metadata ?? {}),
      };
      const messageKey = conversationKeys.message(message.conversationId, message.sequence);
      await Promise.all([
        documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...messageKey, ...message },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        ),
        documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...conversationKeys.messagePointer(message.id),
              messagePk: messageKey.pk,
              messageSk: messageKey.sk,
            },
          }),
        ),
      ]);
      return structuredClone(message);
    },

    async update(id: string, patch: MessagePatch): Promise<StoredMessage> {
      const pointer = await getItem(access, conversationKeys.messagePointer(id));
      if (!pointer) throw new NotFoundError(`Message ${id}`);
      const merge = metadataMergeExpression(patch.metadata);
      const assignments = ["id = :id", ...merge.assignments];
      const values: Record<string, unknown> = { ":id": id, ...merge.values };
      const names: Record<string, string> = { ...merge.names };
      if (patch.text !== undefined) {
        assignments.push("#text = :text");
        names["#text"] = "text";
        values[":text"] = patch.text;
      }
      if (patch.interrupted !== undefined) {
        assignments.push("interrupted = :interrupted");
        values[":interrupted"] = patch.interrupted;
      }
      try {
        const result = await documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: String(pointer.messagePk), sk: String(pointer.messageSk) },
            UpdateExpression: `SET ${assignments.join(", ")}`,
            ConditionExpression: "attribute_exists(pk) AND id = :id",
            ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_NEW",
          }),
        );
        return toMessage(result.Attributes ?? {});
      } catch (error) {
        if (isConditionalCheckFailed(error)) throw new NotFoundError(`Message ${id}`);
        throw error;
      }
    },

    async list(conversationId: string, options: { limit?: number } = {}): Promise<StoredMessage[]> {
      const limit = options.limit;
      if (limit !== undefined && limit <= 0) return [];
      const items: Item[] = await queryItems(
        access,
        {
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :messages)",
          ExpressionAttributeValues: {
            ":pk": conversationKeys.conversation(conversationId).pk,
            ":messages": "MSG#",
          },
          ConsistentRead: true,
          // With a limit, read the newest first, then put them back in order.
          ScanIndexForward: limit === undefined,
          Limit: limit,
        },
        limit,
      );
      const messages = items.map(toMessage);
      return limit === undefined ? messages : messages.reverse();
    },
  };
}
