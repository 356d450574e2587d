import { logKeys } from "../../../observability/log-keys.js";
import type { Conversation } from "../../../ports/conversation-store.js";
import type { RelaySetup } from "../relay-inbound-messages.js";
import type { RelaySession } from "../relay-session.js";

/**
 * `setup`: find the conversation for this call (a `conversationId` parameter from our TwiML, or
 * the call's earlier session on a reconnect), else start one; record the call session; store the
 * welcome greeting Twilio speaks, so history holds it.
 */
export function onSetup(session: RelaySession, setup: RelaySetup): void {
  if (session.state !== "awaiting-setup") {
    session.logger.warn("relay: dropped a second setup frame");
    return;
  }
  session.state = "setting-up";
  session.callSid = setup.callSid;
  session.logger = session.logger.child({
    [logKeys.callSid]: setup.callSid,
    [logKeys.sessionId]: setup.sessionId,
  });
  session.ready = establish(session, setup).then(
    () => {
      if (session.state === "setting-up") session.state = "active";
      session.prepareAbortController();
    },
    (error: unknown) => {
      session.logger.error({ err: error }, "relay: setup failed; closing the session");
      session.state = "closed";
      session.socket.close(1011, "setup failed");
    },
  );
}

async function establish(session: RelaySession, setup: RelaySetup): Promise<void> {
  const { agent, voice } = session.dependencies;
  const store = agent.store;
  const previous = await store.getCallSession(setup.callSid);
  // A second setup for a call that already had a relay session is a reconnect (Twilio error 64105).
  const isReconnect = previous !== undefined && previous.sessionId !== null;
  const requestedId = setup.customParameters?.conversationId ?? previous?.conversationId;
  let conversation: Conversation | undefined;
  if (requestedId) conversation = await store.getConversation(requestedId);
  if (!conversation) {
    conversation = (
      await session.dependencies.resolver.resolveConversation("phone", setup.from ?? "", "voice")
    ).conversation;
  }
  await store.upsertCallSession({
    callSid: setup.callSid,
    sessionId: setup.sessionId,
    conversationId: conversation.id,
    from: setup.from ?? null,
    to: setup.to ?? null,
    direction: setup.direction ?? null,
    status: "active",
    startedAt: previous?.startedAt ?? Date.now(),
    endedAt: null,
    durationSeconds: null,
    handoffData: null,
    errorCode: null,
    errorMessage: null,
  });
  session.logger = session.logger.child({ [logKeys.conversationId]: conversation.id });
  session.conversation = await agent.openSession(conversation.id, "voice");
  if (!isReconnect && voice.welcomeGreeting) {
    await session.conversation.appendAssistantText(voice.welcomeGreeting, { kind: "welcome-greeting" });
  }
  session.logger.info({ reconnect: isReconnect }, "relay: call connected");
}
