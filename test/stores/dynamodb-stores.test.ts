import { randomUUID } from "node:crypto";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewOutboxEntry } from "../../src/ports/outbox-store.js";
import {
  createDynamoDbStores,
  type DynamoDbStores,
} from "../../src/stores/dynamodb/create-dynamodb-stores.js";
import { mainTableName } from "../../src/stores/dynamodb/dynamodb-table.js";
import { type LocalDynamoDb, startLocalDynamoDb } from "../../src/testing/start-local-dynamodb.js";
import { conversationStoreContract } from "./conversation-store-contract.js";
import { customerStoreContract } from "./customer-store-contract.js";
import { outboxStoreContract } from "./outbox-store-contract.js";

let local: LocalDynamoDb;
beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local?.close();
});

/** One "server node": its own client and stores on the shared table of `tablePrefix`. */
async function openNode(tablePrefix: string): Promise<DynamoDbStores> {
  const client = new DynamoDBClient({
    endpoint: local.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const stores = await createDynamoDbStores({ tablePrefix, client, createTableIfMissing: true });
  return {
    ...stores,
    async close() {
      await stores.close();
      client.destroy();
    },
  };
}

/** Each harness gets its own table, so tests never see each other's items. */
const uniquePrefix = () => `test-${randomUUID().slice(0, 8)}`;

conversationStoreContract("dynamodb", async () => {
  const tablePrefix = uniquePrefix();
  let current = await openNode(tablePrefix);
  return {
    store: current.conversations,
    async reopen() {
      await current.close();
      current = await openNode(tablePrefix);
      return current.conversations;
    },
    cleanup: () => current.close(),
  };
});

outboxStoreContract("dynamodb", async () => {
  const stores = await openNode(uniquePrefix());
  return {
    outbox: stores.outbox,
    messagingState: stores.messagingState,
    cleanup: () => stores.close(),
    // DynamoDB deletes them by their TTL attribute (checked below); dynalite never deletes items.
    inboundIdsExpireByThemselves: true,
  };
});

customerStoreContract("dynamodb", async () => {
  const stores = await openNode(uniquePrefix());
  return { customers: stores.customers, cleanup: () => stores.close() };
});

describe("DynamoDB inbound ids", () => {
  it("carry a TTL 30 days out, so DynamoDB forgets them as SQLite's retention does", async () => {
    const tablePrefix = uniquePrefix();
    const stores = await openNode(tablePrefix);
    try {
      const before = Math.floor(Date.now() / 1000);
      await stores.messagingState.recordInboundOnce("sendgrid-event", "evt1");
      await stores.messagingState.acceptInbound({
        provider: "twilio-sms",
        eventId: "SM1",
        receivedAt: Date.now(),
        payload: { MessageSid: "SM1" },
      });
      const client = new DynamoDBClient({
        endpoint: local.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      try {
        const { Items = [] } = await client.send(new ScanCommand({ TableName: mainTableName(tablePrefix) }));
        const inbound = Items.filter((item) => /^(INBOUND|INBOX)#/.test(item.pk?.S ?? ""));
        expect(inbound).toHaveLength(3); // two id records and one inbox entry
        const thirtyDays = 30 * 24 * 60 * 60;
        for (const item of inbound) {
          const expiresAt = Number(item.expiresAt?.N);
          expect(expiresAt).toBeGreaterThanOrEqual(before + thirtyDays);
          expect(expiresAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + thirtyDays);
        }
      } finally {
        client.destroy();
      }
    } finally {
      await stores.close();
    }
  });
});

describe("DynamoDB verifications", () => {
  it("carry a TTL in seconds 30 days after they were created, and keep the code's expiry apart", async () => {
    const tablePrefix = uniquePrefix();
    const stores = await openNode(tablePrefix);
    const client = new DynamoDBClient({
      endpoint: local.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    try {
      const createdAt = Date.now();
      const verification = {
        id: "ver_ttl",
        customerId: "cus_1",
        kind: "phone" as const,
        value: "+14155550123",
        codeHash: "abc",
        conversationId: null,
        attempts: 0,
        expiresAt: createdAt + 600_000,
        createdAt,
      };
      await stores.customers.saveVerification(verification);
      const { Items = [] } = await client.send(new ScanCommand({ TableName: mainTableName(tablePrefix) }));
      const item = Items.find((candidate) => candidate.id?.S === "ver_ttl");
      expect(Number(item?.expiresAt?.N)).toBe(Math.floor((createdAt + 30 * 24 * 60 * 60_000) / 1000));
      expect(Number(item?.codeExpiresAt?.N)).toBe(createdAt + 600_000);
      expect(await stores.customers.listVerifications("cus_1")).toEqual([verification]);
    } finally {
      client.destroy();
      await stores.close();
    }
  });
});

describe("DynamoDB stores with several nodes on one table", () => {
  const sms = { kind: "sms" as const, to: "+14155550123", body: "hi" };

  it("gives unique increasing sequences to concurrent appends from two nodes", async () => {
    const tablePrefix = uniquePrefix();
    const [first, second] = await Promise.all([openNode(tablePrefix), openNode(tablePrefix)]);
    const conversation = await first.conversations.createConversation({ channel: "web" });
    const appended = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        (index % 2 === 0 ? first : second).conversations.appendMessage({
          conversationId: conversation.id,
          role: "user",
          channel: "web",
          text: `m${index}`,
        }),
      ),
    );
    const sequences = appended.map((message) => message.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    const listed = await second.conversations.listMessages(conversation.id);
    expect(listed.map((message) => message.sequence)).toEqual(sequences);
    const stored = await second.conversations.getConversation(conversation.id);
    expect(stored?.updatedAt).toBeGreaterThanOrEqual(
      Math.max(...appended.map((message) => message.createdAt)),
    );
    await Promise.all([first.close(), second.close()]);
  });

  it("lets each due entry be claimed by one worker only", async () => {
    const tablePrefix = uniquePrefix();
    const [first, second] = await Promise.all([openNode(tablePrefix), openNode(tablePrefix)]);
    for (let index = 0; index < 20; index++) {
      await first.outbox.enqueueOutbound({ idempotencyKey: `k${index}`, payload: sms });
    }
    const now = Date.now();
    const claims = await Promise.all(
      ["a", "b", "c", "d"].map((workerId, index) =>
        (index % 2 === 0 ? first : second).outbox.claimDueOutbound({
          now,
          limit: 8,
          workerId,
          leaseMs: 60_000,
        }),
      ),
    );
    const claimedIds = claims.flat().map((entry) => entry.id);
    expect(new Set(claimedIds).size).toBe(claimedIds.length);
    expect(claimedIds).toHaveLength(20);
    for (const claimed of claims) expect(claimed.length).toBeLessThanOrEqual(8);
    for (const entry of claims.flat()) {
      expect(await second.outbox.getOutbound(entry.id)).toMatchObject({
        claimedBy: entry.claimedBy,
        attempts: 1,
      });
    }
    await Promise.all([first.close(), second.close()]);
  });

  it("creates one entry when two nodes enqueue the same key at once", async () => {
    const tablePrefix = uniquePrefix();
    const [first, second] = await Promise.all([openNode(tablePrefix), openNode(tablePrefix)]);
    const entry: NewOutboxEntry = { idempotencyKey: "same", payload: sms, conversationId: "conv_1" };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        (index % 2 === 0 ? first : second).outbox.enqueueOutbound(entry),
      ),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.entry.id)).size).toBe(1);
    expect(await first.outbox.listOutbound()).toHaveLength(1);
    expect(await second.outbox.deleteOutboundForConversation("conv_1")).toBe(1);
    expect((await first.outbox.enqueueOutbound(entry)).created).toBe(true);
    await Promise.all([first.close(), second.close()]);
  });

  it("creates the table once when two nodes start at the same time, and answers ping", async () => {
    const tablePrefix = uniquePrefix();
    const nodes = await Promise.all([openNode(tablePrefix), openNode(tablePrefix)]);
    for (const node of nodes) await expect(node.conversations.ping()).resolves.toBeUndefined();
    await Promise.all(nodes.map((node) => node.close()));
  });
});
