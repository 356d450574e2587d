import type {} from "@fastify/websocket";
import type { FastifyInstance } from "fastify";
import type { VoiceConfig } from "../../config/config.js";
import type { ConversationAgent } from "../../core/agent/conversation-agent.js";
import { SignatureError } from "../../errors/signature-error.js";
import type { Logger } from "../../observability/logger.js";
import type { ConversationResolver } from "../../ports/conversation-resolver.js";
import { headerValue, requestBase } from "../twilio/twilio-signature-hook.js";
import type { TwilioSignatureVerifier } from "../twilio/twilio-signature-verifier.js";
import { upgradeRequired } from "../upgrade-required.js";
import { RelaySession } from "./relay-session.js";

export interface RelayRouteDependencies {
  agent: ConversationAgent;
  resolver: ConversationResolver;
  voice: VoiceConfig;
  signatureVerifier: TwilioSignatureVerifier | undefined;
}

/** `WS /twilio/relay`: the upgrade must carry a valid X-Twilio-Signature when a token is configured. */
export function registerRelayRoute(app: FastifyInstance, dependencies: RelayRouteDependencies): void {
  const { signatureVerifier } = dependencies;
  app.route({
    method: "GET",
    url: "/twilio/relay",
    preValidation: async (request) => {
      if (!signatureVerifier) return;
      const signature = headerValue(request.headers["x-twilio-signature"]);
      if (!signatureVerifier.verifyWebSocket(request.url, signature)) {
        const why = signatureVerifier.explainFailure(request.url, signature, undefined, requestBase(request));
        throw new SignatureError(
          `Invalid or missing X-Twilio-Signature on the ConversationRelay upgrade: ${why}`,
        );
      }
    },
    wsHandler: (socket, request) => {
      new RelaySession(socket, {
        agent: dependencies.agent,
        resolver: dependencies.resolver,
        voice: dependencies.voice,
        logger: request.log as Logger,
        requireKnownCall: signatureVerifier !== undefined,
      });
    },
    handler: upgradeRequired("ConversationRelay (/twilio/relay)"),
  });
}
