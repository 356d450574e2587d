import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { OutboxEntry } from "../../ports/outbox-store.js";
import {
  buildUpdate,
  type DynamoDbTableAccess,
  type Item,
  isConditionalCheckFailed,
  timeKey,
  timeKeyUpperBound,
} from "./dynamodb-items.js";
import { dueOutboxPartition, outboxKeys, toOutboxEntry } from "./dynamodb-outbox-items.js";
import { indexNames } from "./dynamodb-table.js";

export interface ClaimOptions {
  now: number;
  limit: number;
  workerId: string;
  leaseMs: number;
}

/**
 * Claims due entries for one worker. Reads candidates from the sparse due index (eventually
 * consistent, so possibly stale), then claims each with a conditional write that re-checks the
 * state on the item itself: of several workers racing for an entry, exactly one write succeeds.
 */
export async function claimDueOutbound(
  access: DynamoDbTableAccess,
  options: ClaimOptions,
): Promise<OutboxEntry[]> {
  const { now, limit, workerId, leaseMs } = options;
  const claimed: OutboxEntry[] = [];
  if (limit <= 0) return claimed;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await access.documentClient.send(
      new QueryCommand({
        TableName: access.tableName,
        IndexName: indexNames.lookup,
        KeyConditionExpression: "gsi2pk = :due AND gsi2sk < :upper",
        ExpressionAttributeValues: { ":due": dueOutboxPartition, ":upper": timeKeyUpperBound(now) },
        Limit: Math.max(limit, 25),
        ExclusiveStartKey: startKey,
      }),
    );
    startKey = page.LastEvaluatedKey;
    const candidates = (page.Items ?? []) as Item[];
    // Never try more than still needed at once, so a worker never ends up holding more than `limit`.
    while (candidates.length > 0 && claimed.length < limit) {
      const batch = candidates.splice(0, limit - claimed.length);
      const results = await Promise.all(batch.map((candidate) => claimOne(String(candidate.id))));
      for (const entry of results) if (entry) claimed.push(entry);
    }
  } while (startKey && claimed.length < limit);
  return claimed.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);

  async function claimOne(id: string): Promise<OutboxEntry | undefined> {
    const claimExpiresAt = now + leaseMs;
    const update = buildUpdate({
      set: {
        status: "sending",
        claimedBy: workerId,
        claimExpiresAt,
        updatedAt: now,
        gsi2sk: timeKey(claimExpiresAt, id),
      },
      add: { attempts: 1 },
    });
    try {
      const result = await access.documentClient.send(
        new UpdateCommand({
          TableName: access.tableName,
          Key: outboxKeys.entry(id),
          UpdateExpression: update.UpdateExpression,
          ConditionExpression:
            "(#status = :pending AND #nextAttemptAt <= :now) OR (#status = :sending AND #claimExpiresAt <= :now)",
          ExpressionAttributeNames: {
            ...update.names,
            "#status": "status",
            "#nextAttemptAt": "nextAttemptAt",
            "#claimExpiresAt": "claimExpiresAt",
          },
          ExpressionAttributeValues: {
            ...update.values,
            ":pending": "pending",
            ":sending": "sending",
            ":now": now,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return result.Attributes ? toOutboxEntry(result.Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined; // another worker won it, or it is done
      throw error;
    }
  }
}
