import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { NewOutboxEntry, OutboxEntry } from "../../ports/outbox-store.js";
import { newOutboxEntry } from "../new-outbox-entry.js";
import { type DynamoDbTableAccess, getItem, isConditionalCheckFailed } from "./dynamodb-items.js";
import { outboxEntryItem, outboxKeys, toOutboxEntry } from "./dynamodb-outbox-items.js";

/**
 * Enqueues idempotently without transactions (dynalite has none): a conditional put of the
 * idempotency-key item decides who is first; it holds a snapshot of the first entry, so a repeat
 * (from any node) returns that entry, and writes it if the first writer has not (yet, or crashed).
 */
export async function enqueueOutbound(
  access: DynamoDbTableAccess,
  input: NewOutboxEntry,
  attempt = 0,
): Promise<{ entry: OutboxEntry; created: boolean }> {
  const entry = newOutboxEntry(input);
  const guardKey = outboxKeys.idempotencyKey(input.idempotencyKey);
  try {
    await access.documentClient.send(
      new PutCommand({
        TableName: access.tableName,
        Item: { ...guardKey, entryId: entry.id, entry },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    const guard = await getItem(access, guardKey);
    // The key was erased in between (conversation deleted): try once more as new.
    if (!guard && attempt < 3) return enqueueOutbound(access, input, attempt + 1);
    if (!guard) throw error;
    // The first writer may not have written its entry yet (or crashed): write its snapshot.
    return {
      entry: await putEntryOnce(access, toOutboxEntry(guard.entry as Record<string, unknown>)),
      created: false,
    };
  }
  return { entry: await putEntryOnce(access, entry), created: true };
}

/** Writes the entry unless it exists (another node may be writing the same one); returns what is stored. */
async function putEntryOnce(access: DynamoDbTableAccess, entry: OutboxEntry): Promise<OutboxEntry> {
  try {
    await access.documentClient.send(
      new PutCommand({
        TableName: access.tableName,
        Item: outboxEntryItem(entry),
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
    return entry;
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    const stored = await getItem(access, outboxKeys.entry(entry.id));
    return stored ? toOutboxEntry(stored) : entry;
  }
}
