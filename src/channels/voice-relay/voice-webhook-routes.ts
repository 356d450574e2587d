import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Config } from "../../config/config.js";
import { logKeys } from "../../observability/log-keys.js";
import type { ConversationResolver } from "../../ports/conversation-resolver.js";
import type { CallSession, ConversationStore } from "../../ports/conversation-store.js";
import { parseTwilioForm } from "../twilio/parse-twilio-form.js";
import { twilioWebhookGuard } from "../twilio/twilio-signature-hook.js";
import { type TwilioSignatureVerifier, webSocketBaseUrl } from "../twilio/twilio-signature-verifier.js";
import { buildRelayTwiml, dialTwiml, hangupTwiml } from "./build-relay-twiml.js";

export interface VoiceWebhookDependencies {
  config: Readonly<Config>;
  store: ConversationStore;
  resolver: ConversationResolver;
  signatureVerifier: TwilioSignatureVerifier | undefined;
  /**
   * A call is over (not a session that reconnects): e.g. enqueue its `call.ended` event. A failure
   * is logged; the call's closing TwiML is answered regardless.
   */
  onCallEnded?: (session: CallSession) => Promise<void>;
}

const incomingCallSchema = z.object({
  CallSid: z.string().min(1, "CallSid is required"),
  From: z.string().optional(),
  To: z.string().optional(),
  Direction: z.string().optional(),
  CallStatus: z.string().optional(),
});

const sessionEndedSchema = z.object({
  CallSid: z.string().min(1, "CallSid is required"),
  SessionId: z.string().optional(),
  SessionStatus: z.string().optional(),
  SessionDuration: z.string().optional(),
  CallStatus: z.string().optional(),
  HandoffData: z.string().optional(),
  ErrorCode: z.string().optional(),
  ErrorMessage: z.string().optional(),
});

/** `POST /twilio/voice` (incoming call → ConversationRelay TwiML) and `POST /twilio/voice/ended`. */
export function registerVoiceWebhookRoutes(
  app: FastifyInstance,
  dependencies: VoiceWebhookDependencies,
): void {
  const { config, store } = dependencies;
  const guard = twilioWebhookGuard(dependencies.signatureVerifier);
  const relayUrl = `${webSocketBaseUrl(config.publicUrl)}/twilio/relay`;
  const actionUrl = `${config.publicUrl}/twilio/voice/ended`;

  app.post("/twilio/voice", { preHandler: guard }, async (request, reply) => {
    const call = parseTwilioForm(incomingCallSchema, request.body, "Twilio webhook");
    const existing = await store.getCallSession(call.CallSid);
    const conversationId =
      existing?.conversationId ??
      (await dependencies.resolver.resolveConversation("phone", call.From ?? "", "voice")).conversation.id;
    if (!existing) {
      await store.upsertCallSession({
        callSid: call.CallSid,
        sessionId: null,
        conversationId,
        from: call.From ?? null,
        to: call.To ?? null,
        direction: call.Direction ?? null,
        status: "ringing",
        startedAt: Date.now(),
        endedAt: null,
        durationSeconds: null,
        handoffData: null,
        errorCode: null,
        errorMessage: null,
      });
    }
    request.log.info(
      { [logKeys.callSid]: call.CallSid, [logKeys.conversationId]: conversationId },
      "incoming call",
    );
    const twiml = buildRelayTwiml({
      relayUrl,
      actionUrl,
      voice: config.voice,
      parameters: { conversationId },
    });
    return reply.type("text/xml").send(twiml);
  });

  app.post("/twilio/voice/ended", { preHandler: guard }, async (request, reply) => {
    const ended = parseTwilioForm(sessionEndedSchema, request.body, "Twilio webhook");
    const durationSeconds =
      ended.SessionDuration === undefined ? null : Number.parseInt(ended.SessionDuration, 10);
    const session = await store.endCallSession({
      callSid: ended.CallSid,
      sessionId: ended.SessionId ?? null,
      status: ended.SessionStatus ?? ended.CallStatus ?? "completed",
      durationSeconds: Number.isFinite(durationSeconds) ? durationSeconds : null,
      handoffData: ended.HandoffData ?? null,
      errorCode: ended.ErrorCode ?? null,
      errorMessage: ended.ErrorMessage ?? null,
    });
    request.log.info(
      { [logKeys.callSid]: ended.CallSid, status: ended.SessionStatus, [logKeys.errorCode]: ended.ErrorCode },
      "relay session ended",
    );
    // The socket dropped while the caller is still on the line: reconnect to the same conversation.
    if (ended.ErrorCode === "64105" && ended.CallStatus === "in-progress" && session) {
      const twiml = buildRelayTwiml({
        relayUrl,
        actionUrl,
        voice: config.voice,
        parameters: { conversationId: session.conversationId },
        skipGreeting: true,
      });
      return reply.type("text/xml").send(twiml);
    }
    if (session && dependencies.onCallEnded) {
      try {
        await dependencies.onCallEnded(session);
      } catch (error) {
        request.log.error({ err: error, [logKeys.callSid]: ended.CallSid }, "call.ended event not enqueued");
      }
    }
    if (wantsHuman(ended.HandoffData) && config.humanAgentNumber) {
      return reply.type("text/xml").send(dialTwiml(config.humanAgentNumber));
    }
    return reply.type("text/xml").send(hangupTwiml());
  });
}

/** Handoff data written by the `transfer_to_human` tool: `{"reason":"human",…}`. */
function wantsHuman(handoffData: string | undefined): boolean {
  if (!handoffData) return false;
  try {
    const parsed = JSON.parse(handoffData) as { reason?: unknown };
    return parsed.reason === "human";
  } catch {
    return false;
  }
}
