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
      session.state = "closed";
      if (error instanceof UnknownCallError) {
        session.logger.warn(`relay: refused a setup: ${error.message}`);
        session.socket.close(1008, "unknown call");
        return;
      }
      session.logger.error({ err: error }, "relay: setup failed; closing the session");
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
  // With signatures on, who calls is what the signed webhook recorded: the upgrade's signature is the
  // same for every call, so the frame's `from` and parameters prove nothing. A call no webhook
  // announced is answered without a caller (a conversation of its own); one already connected, and
  // not being reconnected by Twilio, is refused.
  const checked = session.dependencies.requireKnownCall === true;
  let known: typeof previous;
  if (checked && previous !== undefined) {
    const announced = previous.sessionId === null;
    const reconnecting = isReconnect && previous.status !== "active" && previous.errorCode === "64105";
    if (!announced && !reconnecting)
      throw new UnknownCallError("this call already has a relay session and Twilio is not reconnecting it");
    known = previous;
  } else if (checked) {
    session.logger.warn(
      "relay: no signed POST /twilio/voice announced this call: answered without the caller's identity",
    );
  }
  const trustFrame = !checked;
  const requestedId =
    known?.conversationId ??
    (trustFrame ? (setup.customParameters?.conversationId ?? previous?.conversationId) : undefined);
  let conversation: Conversation | undefined;
  if (requestedId) conversation = await store.getConversation(requestedId);
  if (!conversation) {
    conversation = (
      await session.dependencies.resolver.resolveConversation(
        "phone",
        known?.from ?? (trustFrame ? (setup.from ?? "") : ""),
        "voice",
      )
    ).conversation;
  }
  await store.upsertCallSession({
    callSid: setup.callSid,
    sessionId: setup.sessionId,
    conversationId: conversation.id,
    from: known?.from ?? (trustFrame ? (setup.from ?? null) : null),
    to: known?.to ?? setup.to ?? null,
    direction: known?.direction ?? setup.direction ?? null,
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

/** A `setup` for a call the signed webhook never announced (a replayed upgrade, a forged frame). */
class UnknownCallError extends Error {}
