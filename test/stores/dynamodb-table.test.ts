import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { createMainTableIfMissing } from "../../src/stores/dynamodb/dynamodb-table.js";

/** A client whose table exists and is ACTIVE, and whose UpdateTimeToLive fails with `errorName`. */
function clientRefusingTtl(errorName: string): { client: DynamoDBClient; sent: string[] } {
  const sent: string[] = [];
  const client = {
    async send(command: { constructor: { name: string } }) {
      sent.push(command.constructor.name);
      if (command.constructor.name === "DescribeTableCommand") return { Table: { TableStatus: "ACTIVE" } };
      const error = new Error(`refused: ${errorName}`);
      error.name = errorName;
      throw error;
    },
  } as unknown as DynamoDBClient;
  return { client, sent };
}

describe("createMainTableIfMissing", () => {
  it("serves a table whose role may not turn TTL on, and says what to do", async () => {
    const { client, sent } = clientRefusingTtl("AccessDeniedException");
    const warnings: string[] = [];
    await createMainTableIfMissing(client, "acme-main", { onWarning: (message) => warnings.push(message) });
    expect(sent).toContain("UpdateTimeToLiveCommand");
    expect(sent).not.toContain("CreateTableCommand");
    expect(warnings).toEqual([expect.stringContaining('turn it on for the "expiresAt" attribute yourself')]);
  });

  it("still fails on other errors", async () => {
    const { client } = clientRefusingTtl("InternalServerError");
    await expect(createMainTableIfMissing(client, "acme-main")).rejects.toThrow(
      "refused: InternalServerError",
    );
  });
});
