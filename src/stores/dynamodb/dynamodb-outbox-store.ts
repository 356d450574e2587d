import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { OutboxEntry, OutboxStatus, OutboxStore } from "../../ports/outbox-store.js";
import {
  failedOutboxFields,
  requeuedOutboxFields,
  retryOutboxFields,
  sentOutboxFields,
} from "../outbox-status-fields.js";
import { isWorkStatus, outboxStatusRank } from "../outbox-status-rank.js";
import { claimDueOutbound } from "./dynamodb-claim-due-outbound.js";
import { enqueueOutbound } from "./dynamodb-enqueue-outbound.js";
import {
  buildUpdate,
  type DynamoDbTableAccess,
  deleteItems,
  getItem,
  isConditionalCheckFailed,
  queryItems,
  timeKey,
  timeKeyUpperBound,
} from "./dynamodb-items.js";
import {
  allOutboxPartition,
  conversationOutboxPartition,
  dueOutboxPartition,
  outboxKeys,
  toOutboxEntry,
} from "./dynamodb-outbox-items.js";
import { indexNames } from "./dynamodb-table.js";

/** An entry's items: the entry, its idempotency guard and its provider id pointer. */
const entryItemKeys = (entry: OutboxEntry) => [
  outboxKeys.entry(entry.id),
  outboxKeys.idempotencyKey(entry.idempotencyKey),
  ...(entry.providerMessageId === null ? [] : [outboxKeys.providerMessage(entry.providerMessageId)]),
];

/**
 * The durable outbox in the single DynamoDB table, safe with several worker nodes: enqueue is
 * guarded by a conditional put on the idempotency key, a claim is a conditional update.
 */
export function createDynamoDbOutboxStore(access: DynamoDbTableAccess): OutboxStore {
  const { documentClient, tableName } = access;

  /** A conditional update of an existing entry; a missing entry is ignored, like the other stores. */
  const updateEntry = async (id: string, parts: Parameters<typeof buildUpdate>[0]): Promise<void> => {
    const update = buildUpdate(parts);
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: outboxKeys.entry(id),
          UpdateExpression: update.UpdateExpression,
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: update.values,
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  };

  const listIn = async (
    index: string,
    number: 1 | 3,
    partition: string,
    status?: OutboxStatus,
    limit = 100,
  ) =>
    (
      await queryItems(
        access,
        {
          IndexName: index,
          KeyConditionExpression: `gsi${number}pk = :partition`,
          FilterExpression: status === undefined ? undefined : "#status = :status",
          ExpressionAttributeNames: status === undefined ? undefined : { "#status": "status" },
          ExpressionAttributeValues: {
            ":partition": partition,
            ...(status === undefined ? {} : { ":status": status }),
          },
          ScanIndexForward: false,
        },
        limit,
      )
    ).map(toOutboxEntry);

  return {
    enqueueOutbound: (input) => enqueueOutbound(access, input),
    claimDueOutbound: (options) => claimDueOutbound(access, options),
    async markOutboundSent(id, result) {
      await Promise.all([
        documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...outboxKeys.providerMessage(result.providerMessageId), entryId: id },
          }),
        ),
        updateEntry(id, {
          set: sentOutboxFields(result, Date.now()),
          remove: ["gsi2pk", "gsi2sk"],
        }),
      ]);
    },
    async markOutboundRetry(id, failure) {
      await updateEntry(id, {
        set: {
          ...retryOutboxFields(failure, Date.now()),
          gsi2pk: dueOutboxPartition,
          gsi2sk: timeKey(failure.nextAttemptAt, id),
        },
      });
    },
    async markOutboundFailed(id, failure) {
      await updateEntry(id, {
        set: failedOutboxFields(failure, Date.now()),
        remove: ["gsi2pk", "gsi2sk"],
      });
    },
    async updateOutboundProviderStatus(providerMessageId, update) {
      const pointer = await getItem(access, outboxKeys.providerMessage(providerMessageId));
      if (!pointer) return undefined;
      for (let attempt = 0; attempt < 20; attempt++) {
        const item = await getItem(access, outboxKeys.entry(String(pointer.entryId)));
        if (!item) return undefined;
        const entry = toOutboxEntry(item);
        // Callbacks arrive out of order: a status below the current one is stale and ignored.
        if (update.status && outboxStatusRank(update.status) < outboxStatusRank(entry.status)) return entry;
        const status = update.status ?? entry.status;
        const changes = buildUpdate({
          set: {
            status,
            providerStatus: update.providerStatus,
            updatedAt: Date.now(),
            ...(update.errorCode === null ? {} : { lastErrorCode: update.errorCode }),
          },
          remove: isWorkStatus(status) ? [] : ["gsi2pk", "gsi2sk"],
        });
        try {
          const result = await documentClient.send(
            new UpdateCommand({
              TableName: tableName,
              Key: outboxKeys.entry(entry.id),
              UpdateExpression: changes.UpdateExpression,
              // Optimistic: only if nobody changed the status since we read it.
              ConditionExpression: "#status = :current",
              ExpressionAttributeNames: { ...changes.names, "#status": "status" },
              ExpressionAttributeValues: { ...changes.values, ":current": entry.status },
              ReturnValues: "ALL_NEW",
            }),
          );
          return toOutboxEntry(result.Attributes ?? item);
        } catch (error) {
          if (!isConditionalCheckFailed(error)) throw error;
        }
      }
      throw new Error(`Outbox entry ${String(pointer.entryId)}: too many concurrent status updates`);
    },
    async requeueOutbound(id, now) {
      const update = buildUpdate({
        set: { ...requeuedOutboxFields(now), gsi2pk: dueOutboxPartition, gsi2sk: timeKey(now, id) },
      });
      try {
        const result = await documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: outboxKeys.entry(id),
            UpdateExpression: update.UpdateExpression,
            ConditionExpression: "#status IN (:failed, :dead)",
            ExpressionAttributeNames: { ...update.names, "#status": "status" },
            ExpressionAttributeValues: { ...update.values, ":failed": "failed", ":dead": "dead" },
            ReturnValues: "ALL_NEW",
          }),
        );
        return result.Attributes ? { entry: toOutboxEntry(result.Attributes), requeued: true } : undefined;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        const item = await getItem(access, outboxKeys.entry(id));
        return item ? { entry: toOutboxEntry(item), requeued: false } : undefined;
      }
    },
    async getOutbound(id) {
      const item = await getItem(access, outboxKeys.entry(id));
      return item ? toOutboxEntry(item) : undefined;
    },
    async deleteOutboundForConversation(conversationId) {
      const entries = await listIn(
        indexNames.owner,
        3,
        conversationOutboxPartition(conversationId),
        undefined,
        Number.MAX_SAFE_INTEGER,
      );
      await deleteItems(access, entries.flatMap(entryItemKeys));
      return entries.length;
    },
    async deleteFinishedOutboundBefore(before, limit) {
      // Oldest first by creation (an entry finishes after it is created); kept when still at work
      // or updated since.
      const entries = (
        await queryItems(
          access,
          {
            IndexName: indexNames.recency,
            KeyConditionExpression: "gsi1pk = :partition AND gsi1sk < :before",
            FilterExpression: "NOT (#status IN (:pending, :sending)) AND updatedAt < :beforeTime",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: {
              ":partition": allOutboxPartition,
              ":before": timeKeyUpperBound(before),
              ":pending": "pending",
              ":sending": "sending",
              ":beforeTime": before,
            },
            ScanIndexForward: true,
          },
          limit,
        )
      ).map(toOutboxEntry);
      await deleteItems(access, entries.flatMap(entryItemKeys));
      return entries.length;
    },
    async listOutbound(options = {}) {
      return options.conversationId === undefined
        ? listIn(indexNames.recency, 1, allOutboxPartition, options.status, options.limit)
        : listIn(
            indexNames.owner,
            3,
            conversationOutboxPartition(options.conversationId),
            options.status,
            options.limit,
          );
    },
  };
}
