import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { NotFoundError } from "../../errors/not-found-error.js";
import { SwitchboardError } from "../../errors/switchboard-error.js";
import type {
  AuditEntry,
  Customer,
  CustomerIdentifier,
  CustomerStore,
  IdentifierKind,
  PendingVerification,
} from "../../ports/customer-store.js";
import { newCustomer } from "../new-customer.js";
import { createMonotonicClock, newId } from "../store-clock.js";
import {
  buildUpdate,
  type DynamoDbTableAccess,
  deleteItems,
  expiresAtSeconds,
  getItem,
  type Item,
  isConditionalCheckFailed,
  queryItems,
  timeKey,
} from "./dynamodb-items.js";
import { indexNames, timeToLiveAttribute } from "./dynamodb-table.js";

/** Item keys of customers (see docs/decisions/0002-dynamodb-table-design.md). */
const keys = {
  profile: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: "PROFILE" }),
  identifier: (kind: string, value: string) => ({ pk: `IDENT#${kind}#${value}`, sk: "IDENT" }),
  identifierMarker: (customerId: string, kind: string, value: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `IDENT#${kind}#${value}`,
  }),
  verification: (id: string) => ({ pk: `VERIFY#${id}`, sk: "VERIFY" }),
};

/**
 * Customers in the single table: a profile item, one item per identifier (its key is the address,
 * so a conditional Put makes ownership unique) with a marker in the customer's partition,
 * verifications (indexed by customer on gsi1 and by address on gsi2) and an append-only audit log.
 */
export function createDynamoDbCustomerStore(access: DynamoDbTableAccess): CustomerStore {
  const { documentClient, tableName } = access;
  const now = createMonotonicClock();
  const put = (item: Item, condition?: string, values?: Record<string, unknown>) =>
    documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ...(condition ? { ConditionExpression: condition } : {}),
        ...(values ? { ExpressionAttributeValues: values } : {}),
      }),
    );
  const toCustomer = (item: Item): Customer => ({
    id: String(item.id),
    name: (item.name as string | null | undefined) ?? null,
    language: (item.language as string | null | undefined) ?? null,
    preferences: (item.preferences as Record<string, string> | undefined) ?? {},
    createdAt: Number(item.createdAt),
    updatedAt: Number(item.updatedAt),
  });
  const toVerification = (item: Item): PendingVerification => ({
    id: String(item.id),
    customerId: String(item.customerId),
    kind: item.kind as IdentifierKind,
    value: String(item.value),
    codeHash: String(item.codeHash),
    conversationId: (item.conversationId as string | null | undefined) ?? null,
    attempts: Number(item.attempts),
    // Items written before `codeExpiresAt` kept the code's expiry (milliseconds) in `expiresAt`.
    expiresAt: Number(item.codeExpiresAt ?? item.expiresAt),
    createdAt: Number(item.createdAt),
  });
  const getCustomer = async (id: string) => {
    const item = await getItem(access, keys.profile(id));
    return item ? toCustomer(item) : undefined;
  };
  const ownerOf = async (kind: string, value: string) =>
    (await getItem(access, keys.identifier(kind, value)))?.customerId as string | undefined;
  const putIdentifier = async (customerId: string, kind: string, value: string, createdAt: number) => {
    await put(
      { ...keys.identifier(kind, value), kind, value, customerId, createdAt },
      "attribute_not_exists(pk) OR customerId = :customerId",
      { ":customerId": customerId },
    );
    await put({ ...keys.identifierMarker(customerId, kind, value), kind, value, customerId, createdAt });
  };
  const verificationsOf = async (customerId: string) =>
    (
      await queryItems(access, {
        IndexName: indexNames.recency,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": `VERIFYCUST#${customerId}` },
        ScanIndexForward: false,
      })
    ).map(toVerification);

  return {
    async resolveCustomer(kind, value) {
      const existing = await ownerOf(kind, value);
      const owned = existing ? await getCustomer(existing) : undefined;
      if (owned) return { customer: owned, created: false };
      // Profile first, then the identifier conditionally: a loser deletes its profile and reads the winner's.
      const timestamp = now();
      const customer: Customer = newCustomer(timestamp);
      await put({ ...keys.profile(customer.id), ...customer });
      try {
        await put(
          { ...keys.identifier(kind, value), kind, value, customerId: customer.id, createdAt: timestamp },
          "attribute_not_exists(pk)",
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        await documentClient.send(
          new DeleteCommand({ TableName: tableName, Key: keys.profile(customer.id) }),
        );
        const winner = await ownerOf(kind, value);
        const winnerCustomer = winner ? await getCustomer(winner) : undefined;
        if (!winnerCustomer)
          throw new SwitchboardError("CUSTOMER_RACE", "Could not resolve the customer; try again", {
            retryable: true,
          });
        return { customer: winnerCustomer, created: false };
      }
      await put({
        ...keys.identifierMarker(customer.id, kind, value),
        kind,
        value,
        customerId: customer.id,
        createdAt: timestamp,
      });
      return { customer, created: true };
    },
    async findCustomerByIdentifier(kind, value) {
      const owner = await ownerOf(kind, value);
      return owner ? getCustomer(owner) : undefined;
    },
    getCustomer,
    async updateCustomer(id, patch) {
      const current = await getCustomer(id);
      if (!current) throw new NotFoundError(`Customer ${id}`);
      const next: Customer = {
        ...current,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.language !== undefined ? { language: patch.language } : {}),
        preferences: patch.preferences
          ? { ...current.preferences, ...patch.preferences }
          : current.preferences,
        updatedAt: Math.max(now(), current.updatedAt + 1),
      };
      const update = buildUpdate({
        set: {
          name: next.name,
          language: next.language,
          preferences: next.preferences,
          updatedAt: next.updatedAt,
        },
      });
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.profile(id),
          UpdateExpression: update.UpdateExpression,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: update.values,
        }),
      );
      return next;
    },
    async listIdentifiers(customerId) {
      const items = await queryItems(access, {
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": `CUSTOMER#${customerId}`, ":prefix": "IDENT#" },
        ConsistentRead: true,
      });
      return items
        .map(
          (item): CustomerIdentifier => ({
            kind: item.kind as IdentifierKind,
            value: String(item.value),
            customerId,
            createdAt: Number(item.createdAt),
          }),
        )
        .sort((a, b) => a.createdAt - b.createdAt);
    },
    async linkIdentifier(customerId, kind, value) {
      if (!(await getCustomer(customerId))) throw new NotFoundError(`Customer ${customerId}`);
      try {
        await putIdentifier(customerId, kind, value, now());
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        throw new SwitchboardError("IDENTIFIER_TAKEN", "That address belongs to another customer", {
          statusCode: 409,
        });
      }
    },
    async mergeCustomers(intoId, fromId) {
      if (!(await getCustomer(intoId))) throw new NotFoundError(`Customer ${intoId}`);
      if (!(await getCustomer(fromId))) throw new NotFoundError(`Customer ${fromId}`);
      for (const identifier of await this.listIdentifiers(fromId)) {
        await put(
          { ...keys.identifier(identifier.kind, identifier.value), ...identifier, customerId: intoId },
          "customerId = :from",
          { ":from": fromId },
        );
        await put({
          ...keys.identifierMarker(intoId, identifier.kind, identifier.value),
          ...identifier,
          customerId: intoId,
        });
      }
      await this.deleteCustomer(fromId);
    },
    async deleteCustomer(id) {
      const own = await queryItems(access, {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `CUSTOMER#${id}` },
        ConsistentRead: true,
      });
      for (const item of own) {
        if (String(item.sk).startsWith("IDENT#")) {
          await documentClient
            .send(
              new DeleteCommand({
                TableName: tableName,
                Key: keys.identifier(String(item.kind), String(item.value)),
                ConditionExpression: "customerId = :id",
                ExpressionAttributeValues: { ":id": id },
              }),
            )
            .catch((error: unknown) => {
              if (!isConditionalCheckFailed(error)) throw error;
            });
        }
      }
      const verifications = await verificationsOf(id);
      await deleteItems(access, [
        ...own.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })),
        ...verifications.map((verification) => keys.verification(verification.id)),
      ]);
    },
    async saveVerification(verification) {
      const { expiresAt, ...rest } = verification;
      await put({
        ...keys.verification(verification.id),
        ...rest,
        codeExpiresAt: expiresAt,
        // The table's TTL attribute, in epoch seconds: DynamoDB deletes the record 30 days on.
        [timeToLiveAttribute]: expiresAtSeconds(verification.createdAt),
        gsi1pk: `VERIFYCUST#${verification.customerId}`,
        gsi1sk: timeKey(verification.createdAt, verification.id),
        gsi2pk: `VERIFYADDR#${verification.kind}#${verification.value}`,
        gsi2sk: timeKey(verification.createdAt, verification.id),
      });
    },
    listVerifications: verificationsOf,
    async forgetVerificationsBefore() {
      // Every verification carries the TTL attribute: DynamoDB deletes it 30 days after it was created.
      return 0;
    },
    async listVerificationsForAddress(kind, value) {
      const items = await queryItems(access, {
        IndexName: indexNames.lookup,
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: { ":pk": `VERIFYADDR#${kind}#${value}` },
        ScanIndexForward: false,
      });
      return items.map(toVerification);
    },
    async countVerificationAttempt(id) {
      // ADD on the item itself: each attempt counts, whatever another server read a moment ago.
      const result = await documentClient
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.verification(id),
            UpdateExpression: "ADD attempts :one",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":one": 1 },
            ReturnValues: "UPDATED_NEW",
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionalCheckFailed(error)) throw error;
          return undefined;
        });
      const attempts = result?.Attributes?.attempts;
      return typeof attempts === "number" ? attempts : undefined;
    },
    async deleteVerification(id) {
      await documentClient.send(new DeleteCommand({ TableName: tableName, Key: keys.verification(id) }));
    },
    async appendAudit(entry) {
      const stored: AuditEntry = { ...entry, id: newId("aud"), at: now() };
      await put({ pk: `AUDIT#${entry.customerId}`, sk: timeKey(stored.at, stored.id), ...stored });
      return stored;
    },
    async listAudit(customerId) {
      const items = await queryItems(access, {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `AUDIT#${customerId}` },
        ConsistentRead: true,
      });
      return items.map(
        (item): AuditEntry => ({
          id: String(item.id),
          customerId: String(item.customerId),
          action: item.action as AuditEntry["action"],
          detail: (item.detail as AuditEntry["detail"]) ?? {},
          at: Number(item.at),
        }),
      );
    },
  };
}
