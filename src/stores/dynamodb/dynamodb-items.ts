import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";

/** A raw item of the single table, as the document client returns it. */
export type Item = Record<string, unknown>;

/** What every DynamoDB store needs: the shared document client and the table name. */
export interface DynamoDbTableAccess {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
}

/** Transient records (inbound event ids, pending turns) expire after this long. */
export const transientRecordLifetimeMs = 30 * 24 * 60 * 60 * 1000;

/** The TTL attribute value (epoch seconds) for a transient record written at `nowMs`. */
export function expiresAtSeconds(nowMs: number): number {
  return Math.floor((nowMs + transientRecordLifetimeMs) / 1000);
}

/** A sort key that orders by time, then id (no ties): `000001700000000000#conv_…`. */
export function timeKey(milliseconds: number, id: string): string {
  return `${String(milliseconds).padStart(15, "0")}#${id}`;
}

/** The smallest time key after every key of `milliseconds` (for `<` range conditions). */
export function timeKeyUpperBound(milliseconds: number): string {
  return String(milliseconds + 1).padStart(15, "0");
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/**
 * Runs a query page by page. With `limit`, stops once that many items passed the filter (DynamoDB
 * applies `Limit` before the filter, so one page may hold fewer).
 */
export async function queryItems(
  access: DynamoDbTableAccess,
  input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey">,
  limit?: number,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await access.documentClient.send(
      new QueryCommand({ ...input, TableName: access.tableName, ExclusiveStartKey: startKey }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey && (limit === undefined || items.length < limit));
  return limit === undefined ? items : items.slice(0, limit);
}

/** Deletes items by key, 25 per request, retrying what DynamoDB left unprocessed. */
export async function deleteItems(
  access: DynamoDbTableAccess,
  keys: ReadonlyArray<{ pk: string; sk: string }>,
): Promise<void> {
  for (let start = 0; start < keys.length; start += 25) {
    let requests = keys.slice(start, start + 25).map((key) => ({ DeleteRequest: { Key: { ...key } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const result = await access.documentClient.send(
        new BatchWriteCommand({ RequestItems: { [access.tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[access.tableName] ?? []) as typeof requests;
    }
  }
}

/** A strongly consistent GetItem. */
export async function getItem(
  access: DynamoDbTableAccess,
  key: { pk: string; sk: string },
): Promise<Item | undefined> {
  const result = await access.documentClient.send(
    new GetCommand({ TableName: access.tableName, Key: key, ConsistentRead: true }),
  );
  return result.Item;
}

/**
 * Builds `SET #u0 = :u0, … ADD #u1 :u1 REMOVE #u2` with placeholders for every attribute name, so
 * reserved words (`status`, `text`, …) need no care. Merge `names`/`values` with the condition's.
 */
export function buildUpdate(parts: {
  set?: Record<string, unknown>;
  add?: Record<string, number>;
  remove?: readonly string[];
}): { UpdateExpression: string; names: Record<string, string>; values: Record<string, unknown> } {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let counter = 0;
  const placeholder = (name: string, value?: unknown, withValue = true) => {
    const index = counter++;
    names[`#u${index}`] = name;
    if (withValue) values[`:u${index}`] = value;
    return { name: `#u${index}`, value: `:u${index}` };
  };
  const clauses: string[] = [];
  const set = Object.entries(parts.set ?? {}).map(([name, value]) => placeholder(name, value));
  if (set.length > 0) clauses.push(`SET ${set.map((item) => `${item.name} = ${item.value}`).join(", ")}`);
  const add = Object.entries(parts.add ?? {}).map(([name, value]) => placeholder(name, value));
  if (add.length > 0) clauses.push(`ADD ${add.map((item) => `${item.name} ${item.value}`).join(", ")}`);
  const remove = (parts.remove ?? []).map((name) => placeholder(name, undefined, false));
  if (remove.length > 0) clauses.push(`REMOVE ${remove.map((item) => item.name).join(", ")}`);
  return { UpdateExpression: clauses.join(" "), names, values };
}
