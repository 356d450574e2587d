import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  type InboundEvent,
  inboundFailureFields,
  type MessagingStateStore,
  type PendingTurn,
  shortenError,
} from "../../ports/messaging-state-store.js";
import {
  type DynamoDbTableAccess,
  deleteItems,
  expiresAtSeconds,
  getItem,
  isConditionalCheckFailed,
  queryItems,
} from "./dynamodb-items.js";
import { indexNames, timeToLiveAttribute } from "./dynamodb-table.js";

/** The owner-index partition of a conversation's email Message-IDs. */
const conversationEmailPartition = (conversationId: string) => `CONVEMAIL#${conversationId}`;

/** Item keys of the messaging state (see docs/decisions/0002-dynamodb-table-design.md). */
export const messagingStateKeys = {
  inboundEvent: (provider: string, eventId: string) => ({
    pk: `INBOUND#${encodeURIComponent(provider)}#${eventId}`,
    sk: "INBOUND",
  }),
  optOut: (address: string, channel: string) => ({ pk: `OPTOUT#${channel}#${address}`, sk: "OPTOUT" }),
  emailMessage: (messageId: string) => ({ pk: `EMAILMSG#${messageId}`, sk: "EMAILMSG" }),
  /** Unhandled inbound events, one partition per provider: few, and deleted once handled. */
  unhandledInbound: (provider: string, eventId: string) => ({
    pk: `INBOX#${encodeURIComponent(provider)}`,
    sk: eventId,
  }),
  /** Pending turns share one small partition: they are few, and deleted once the reply is done. */
  pendingTurn: (messageId: string) => ({ pk: "PENDING_TURNS", sk: messageId }),
};

/**
 * Inbound de-duplication, opt-outs, email threads and pending turns in the single DynamoDB table.
 * Inbound event ids and pending turns carry a TTL (30 days) so DynamoDB drops forgotten ones.
 */
export function createDynamoDbMessagingStateStore(access: DynamoDbTableAccess): MessagingStateStore {
  const { documentClient, tableName } = access;

  /** A put that does nothing (returns false) when the item exists. */
  const putOnce = async (item: Record<string, unknown>): Promise<boolean> => {
    try {
      await documentClient.send(
        new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  };

  /** Claims an existing item for `owner` until `now + leaseMs` (see `claimInbound`). */
  const claimItem = async (
    key: { pk: string; sk: string },
    owner: string,
    leaseMs: number,
  ): Promise<boolean> => {
    const now = Date.now();
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: "SET claimedBy = :owner, claimedUntil = :until",
          ConditionExpression:
            "attribute_exists(pk) AND (attribute_not_exists(claimedBy) OR claimedBy = :owner OR claimedUntil < :now)",
          ExpressionAttributeValues: { ":owner": owner, ":until": now + leaseMs, ":now": now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  };

  return {
    async recordInboundOnce(provider, eventId) {
      const now = Date.now();
      return putOnce({
        ...messagingStateKeys.inboundEvent(provider, eventId),
        provider,
        eventId,
        receivedAt: now,
        [timeToLiveAttribute]: expiresAtSeconds(now),
      });
    },
    async acceptInbound(event) {
      const now = Date.now();
      const inboxItem = {
        ...messagingStateKeys.unhandledInbound(event.provider, event.eventId),
        ...event,
        [timeToLiveAttribute]: expiresAtSeconds(now),
      };
      const first = await putOnce({
        ...messagingStateKeys.inboundEvent(event.provider, event.eventId),
        provider: event.provider,
        eventId: event.eventId,
        receivedAt: event.receivedAt,
        unhandled: true,
        [timeToLiveAttribute]: expiresAtSeconds(now),
      });
      // No transactions here (dynalite has none): the id is recorded first, then the inbox entry.
      // A repeat of an event still unhandled puts its inbox entry again, in case a crash came
      // between the two writes (an entry that is there stays as it is).
      if (first) {
        await documentClient.send(new PutCommand({ TableName: tableName, Item: inboxItem }));
        return true;
      }
      const recorded = await getItem(access, messagingStateKeys.inboundEvent(event.provider, event.eventId));
      if (recorded?.unhandled === true) await putOnce(inboxItem);
      return false;
    },
    async claimInbound(provider, eventId, owner, leaseMs) {
      return claimItem(messagingStateKeys.unhandledInbound(provider, eventId), owner, leaseMs);
    },
    async markInboundHandled(provider, eventId) {
      await documentClient
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: messagingStateKeys.inboundEvent(provider, eventId),
            UpdateExpression: "REMOVE unhandled",
            ConditionExpression: "attribute_exists(pk)",
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionalCheckFailed(error)) throw error;
        });
      await documentClient.send(
        new DeleteCommand({
          TableName: tableName,
          Key: messagingStateKeys.unhandledInbound(provider, eventId),
        }),
      );
    },
    async listUnhandledInbound(provider) {
      const items = await queryItems(access, {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": messagingStateKeys.unhandledInbound(provider, "").pk },
        ConsistentRead: true,
      });
      return items
        .map(
          (item): InboundEvent => ({
            provider: String(item.provider),
            eventId: String(item.eventId),
            payload: item.payload as Record<string, unknown>,
            receivedAt: Number(item.receivedAt),
            ...inboundFailureFields(item.failures, item.lastError),
          }),
        )
        .sort((a, b) => a.receivedAt - b.receivedAt);
    },
    async recordInboundFailure(provider, eventId, error) {
      try {
        const result = await documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: messagingStateKeys.unhandledInbound(provider, eventId),
            UpdateExpression: "ADD failures :one SET lastError = :error",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":one": 1, ":error": shortenError(error) },
            ReturnValues: "UPDATED_NEW",
          }),
        );
        return Number(result.Attributes?.failures ?? 0);
      } catch (failure) {
        if (isConditionalCheckFailed(failure)) return 0;
        throw failure;
      }
    },
    async resetInboundFailures(provider, eventId) {
      try {
        await documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: messagingStateKeys.unhandledInbound(provider, eventId),
            UpdateExpression: "SET failures = :zero",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":zero": 0 },
          }),
        );
        return true;
      } catch (failure) {
        if (isConditionalCheckFailed(failure)) return false;
        throw failure;
      }
    },
    async forgetHandledInbound() {
      // Every id record carries the TTL attribute: DynamoDB deletes it 30 days after it was written.
      return 0;
    },
    async setOptOut(address, channel, optedOut, reason) {
      await documentClient.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...messagingStateKeys.optOut(address, channel),
            address,
            channel,
            optedOut,
            reason,
            updatedAt: Date.now(),
          },
        }),
      );
    },
    async isOptedOut(address, channel) {
      const item = await getItem(access, messagingStateKeys.optOut(address, channel));
      return item?.optedOut === true;
    },
    async linkEmailMessageId(messageId, conversationId) {
      await putOnce({
        ...messagingStateKeys.emailMessage(messageId),
        messageId,
        conversationId,
        // Listed by conversation (the owner index), so that erasing it can find them.
        gsi3pk: conversationEmailPartition(conversationId),
        gsi3sk: messageId,
      });
    },
    async forgetEmailThreads(conversationId) {
      const items = await queryItems(access, {
        IndexName: indexNames.owner,
        KeyConditionExpression: "gsi3pk = :partition",
        ExpressionAttributeValues: { ":partition": conversationEmailPartition(conversationId) },
      });
      await deleteItems(
        access,
        items.map((item) => messagingStateKeys.emailMessage(String(item.messageId))),
      );
      return items.length;
    },
    async findConversationByEmailMessageIds(messageIds) {
      // The last reference is the closest ancestor: look from the end.
      for (let index = messageIds.length - 1; index >= 0; index--) {
        const messageId = messageIds[index];
        if (messageId === undefined || messageId === "") continue;
        const item = await getItem(access, messagingStateKeys.emailMessage(messageId));
        if (item) return String(item.conversationId);
      }
      return undefined;
    },
    async addPendingTurn(turn) {
      await putOnce({
        ...messagingStateKeys.pendingTurn(turn.messageId),
        ...turn,
        [timeToLiveAttribute]: expiresAtSeconds(Date.now()),
      });
    },
    async claimPendingTurn(messageId, owner, leaseMs) {
      return claimItem(messagingStateKeys.pendingTurn(messageId), owner, leaseMs);
    },
    async removePendingTurn(messageId) {
      await documentClient.send(
        new DeleteCommand({ TableName: tableName, Key: messagingStateKeys.pendingTurn(messageId) }),
      );
    },
    async listPendingTurns() {
      const items = await queryItems(access, {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": messagingStateKeys.pendingTurn("").pk },
        ConsistentRead: true,
      });
      return items
        .map(
          (item): PendingTurn => ({
            messageId: String(item.messageId),
            conversationId: String(item.conversationId),
            channel: item.channel as PendingTurn["channel"],
            createdAt: Number(item.createdAt),
          }),
        )
        .sort((a, b) => a.createdAt - b.createdAt);
    },
  };
}
