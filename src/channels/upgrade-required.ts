import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The plain-HTTP answer of a WebSocket route: `426 Upgrade Required`, saying what to do, instead of
 * an empty 404 (a browser or curl opening the URL sees why nothing is there).
 */
export function upgradeRequired(what: string) {
  return async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(426)
      .header("upgrade", "websocket")
      .send({
        error: {
          code: "UPGRADE_REQUIRED",
          message: `${what} is a WebSocket: open it with a WebSocket client (Connection: Upgrade, Upgrade: websocket)`,
        },
      });
}
