import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { CallSession, CallSessionEnd } from "../../ports/conversation-store.js";
import { conversationKeys, toCallSession } from "./dynamodb-conversation-items.js";
import { type DynamoDbTableAccess, getItem, isConditionalCheckFailed } from "./dynamodb-items.js";

/** Call sessions: one item per callSid, plus a marker in the conversation's partition. */
export function createDynamoDbCallSessions(access: DynamoDbTableAccess, now: () => number) {
  const { documentClient, tableName } = access;
  return {
    async upsert(session: CallSession): Promise<void> {
      await Promise.all([
        documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...conversationKeys.call(session.callSid), ...session },
          }),
        ),
        documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...conversationKeys.callMarker(session.conversationId, session.callSid),
              callSid: session.callSid,
            },
          }),
        ),
      ]);
    },
    async get(callSid: string): Promise<CallSession | undefined> {
      const item = await getItem(access, conversationKeys.call(callSid));
      return item ? toCallSession(item) : undefined;
    },
    async end(end: CallSessionEnd): Promise<CallSession | undefined> {
      const fields: Record<string, unknown> = { status: end.status, endedAt: now() };
      if (end.sessionId) fields.sessionId = end.sessionId;
      if (end.durationSeconds !== undefined) fields.durationSeconds = end.durationSeconds;
      if (end.handoffData !== undefined) fields.handoffData = end.handoffData;
      if (end.errorCode !== undefined) fields.errorCode = end.errorCode;
      if (end.errorMessage !== undefined) fields.errorMessage = end.errorMessage;
      const names = Object.keys(fields);
      try {
        const result = await documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: conversationKeys.call(end.callSid),
            UpdateExpression: `SET ${names.map((_, index) => `#f${index} = :f${index}`).join(", ")}`,
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#f${index}`, name])),
            ExpressionAttributeValues: Object.fromEntries(
              names.map((name, index) => [`:f${index}`, fields[name]]),
            ),
            ReturnValues: "ALL_NEW",
          }),
        );
        return result.Attributes ? toCallSession(result.Attributes) : undefined;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return undefined;
        throw error;
      }
    },
    /** Erases a call unless a reconnect moved it to another conversation since. */
    async deleteIfOwnedBy(callSid: string, conversationId: string): Promise<void> {
      try {
        await documentClient.send(
          new DeleteCommand({
            TableName: tableName,
            Key: conversationKeys.call(callSid),
            ConditionExpression: "conversationId = :conversationId",
            ExpressionAttributeValues: { ":conversationId": conversationId },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    },
  };
}
