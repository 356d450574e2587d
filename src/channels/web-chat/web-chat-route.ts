import { randomBytes } from "node:crypto";
import type {} from "@fastify/websocket";
import type { FastifyInstance } from "fastify";
import type { ConversationAgent } from "../../core/agent/conversation-agent.js";
import { BadRequestError } from "../../errors/bad-request-error.js";
import { SwitchboardError } from "../../errors/switchboard-error.js";
import type { Logger } from "../../observability/logger.js";
import type { ConversationResolver } from "../../ports/conversation-resolver.js";
import { upgradeRequired } from "../upgrade-required.js";
import { type WebChatLimitSettings, WebChatLimits } from "./web-chat-limits.js";
import { WebChatSession } from "./web-chat-session.js";

export interface WebChatRouteDependencies {
  agent: ConversationAgent;
  resolver: ConversationResolver;
  modelDescription: string;
  /** The public URL: its origin may always open a chat. */
  publicUrl: string;
  /** Other browser origins allowed (`any`: every one). */
  allowedOrigins: "any" | readonly string[];
  /** Per client address: open chats and messages a minute (0: no limit). */
  limits: WebChatLimitSettings;
  /** Told of each refusal for the limits (metrics). */
  onRefused?: (reason: "too_many_chats" | "rate_limited") => void;
}

/**
 * A visitor id is the bearer of a web conversation (the widget keeps it, e.g. in localStorage):
 * long and random when Switchboard makes it, at least 16 URL-safe characters when a client brings one.
 */
const visitorIdPattern = /^[A-Za-z0-9_-]{16,128}$/;

function visitorIdOf(query: unknown): string | undefined {
  const visitor = (query as { visitor?: unknown } | undefined)?.visitor;
  return typeof visitor === "string" && visitor.length > 0 ? visitor : undefined;
}

/**
 * `WS /web/chat[?visitor=<id>]`: the web channel (widget and playground). Without `visitor` a new
 * visitor id is made and sent in `ready`; with one, the visitor's conversation continues. The
 * protocol is in docs/web-chat.md.
 */
export function registerWebChatRoute(app: FastifyInstance, dependencies: WebChatRouteDependencies): void {
  const { allowedOrigins } = dependencies;
  const limits = new WebChatLimits(dependencies.limits);
  const fixedOrigins = new Set([
    new URL(dependencies.publicUrl).origin,
    ...(allowedOrigins === "any" ? [] : allowedOrigins),
  ]);
  /**
   * A browser always sends Origin on a WebSocket upgrade: a chat may be opened from this server's
   * own page, PUBLIC_URL's, or an allowed origin, so another site cannot open chats from its
   * visitors' browsers. Clients that send no Origin (scripts, servers) are not browsers.
   */
  const originAllowed = (origin: string | undefined, host: string): boolean => {
    if (origin === undefined || allowedOrigins === "any" || fixedOrigins.has(origin)) return true;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  };
  app.route({
    method: "GET",
    url: "/web/chat",
    preValidation: async (request) => {
      const origin = request.headers.origin;
      if (!originAllowed(origin, request.host))
        throw new SwitchboardError(
          "ORIGIN_NOT_ALLOWED",
          `The origin ${String(origin).slice(0, 200)} may not open a web chat; add it to WEB_CHAT_ORIGINS`,
          { statusCode: 403 },
        );
      const visitor = visitorIdOf(request.query);
      if (visitor !== undefined && !visitorIdPattern.test(visitor))
        throw new BadRequestError("visitor must be 16 to 128 characters of A-Z, a-z, 0-9, _ or -");
      if (!limits.canOpen(request.ip)) {
        dependencies.onRefused?.("too_many_chats");
        throw new SwitchboardError(
          "TOO_MANY_CHATS",
          "Too many chats are open from this address; close one or raise WEB_CHAT_SOCKETS_PER_ADDRESS",
          { statusCode: 429 },
        );
      }
    },
    wsHandler: (socket, request) => {
      const address = request.ip;
      // Upgrades that passed the check together may still go over: the last ones are closed.
      if (!limits.opened(address)) {
        dependencies.onRefused?.("too_many_chats");
        socket.close(1013, "too many chats from this address");
        return;
      }
      socket.once("close", () => limits.closed(address));
      const visitorId = visitorIdOf(request.query) ?? randomBytes(16).toString("base64url");
      new WebChatSession(socket, visitorId, {
        agent: dependencies.agent,
        resolver: dependencies.resolver,
        modelDescription: dependencies.modelDescription,
        logger: request.log as Logger,
        takeMessage: () => {
          const retryAfterMs = limits.takeMessage(address);
          if (retryAfterMs !== undefined) dependencies.onRefused?.("rate_limited");
          return retryAfterMs;
        },
      });
    },
    handler: upgradeRequired("The web chat (/web/chat)"),
  });
}
