import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";

/** Index names of the single table (see docs/decisions/0002-dynamodb-table-design.md). */
export const indexNames = {
  /** Recency lists: all conversations by updatedAt, all outbox entries by createdAt. */
  recency: "gsi1",
  /** Conversations by externalRef; outbox work items (pending/sending) by due time. */
  lookup: "gsi2",
  /** Conversations by customer; outbox entries by conversation. */
  owner: "gsi3",
} as const;

/** Epoch-seconds attribute DynamoDB uses to expire transient items (inbound events, pending turns). */
export const timeToLiveAttribute = "expiresAt";

export function mainTableName(tablePrefix: string): string {
  return `${tablePrefix}-main`;
}

const stringAttributes = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"];

const index = (name: string, number: 1 | 2 | 3) => ({
  IndexName: name,
  KeySchema: [
    { AttributeName: `gsi${number}pk`, KeyType: "HASH" as const },
    { AttributeName: `gsi${number}sk`, KeyType: "RANGE" as const },
  ],
  Projection: { ProjectionType: "ALL" as const },
});

/**
 * The single table's definition (on-demand capacity): what the store creates when the table is
 * missing, and what the CloudFormation template in deploy/aws declares (a test compares them).
 */
export function mainTableDefinition(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: stringAttributes.map((name) => ({
      AttributeName: name,
      AttributeType: "S" as const,
    })),
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" as const },
      { AttributeName: "sk", KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: [
      index(indexNames.recency, 1),
      index(indexNames.lookup, 2),
      index(indexNames.owner, 3),
    ],
  };
}

/** Creates the table (on-demand capacity) when it does not exist, then waits until it is ACTIVE. */
export async function createMainTableIfMissing(
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number; onWarning?: (message: string) => void } = {},
): Promise<void> {
  if ((await describeStatus(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(mainTableDefinition(tableName)));
    } catch (error) {
      // Another node created it at the same moment: wait for it like for our own.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  await waitUntilActive(client, tableName, options.timeoutMs ?? 60_000);
  await enableTimeToLive(client, tableName, options.onWarning);
}

async function enableTimeToLive(
  client: DynamoDBClient,
  tableName: string,
  onWarning: ((message: string) => void) | undefined,
): Promise<void> {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    // dynalite has no UpdateTimeToLive; DynamoDB says ValidationException when TTL is already enabled.
    if (name === "UnknownOperationException" || name === "ValidationException") return;
    // A table made by hand, with a role that may not change it: serve, and say what is missing.
    if (name === "AccessDeniedException") {
      onWarning?.(
        `dynamodb: not allowed to turn on TTL for ${tableName} (dynamodb:UpdateTimeToLive); turn it on for the "${timeToLiveAttribute}" attribute yourself, or expired records are never deleted`,
      );
      return;
    }
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await describeStatus(client, tableName)) === "ACTIVE") return;
    if (Date.now() > deadline) throw new Error(`DynamoDB table ${tableName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `ACTIVE` once the table and all its indexes are usable; undefined when there is no table. */
async function describeStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
      (secondary) => secondary.IndexStatus === "ACTIVE",
    );
    return Table?.TableStatus === "ACTIVE" && !indexesActive ? "UPDATING" : Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
