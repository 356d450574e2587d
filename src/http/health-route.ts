import type { FastifyInstance } from "fastify";
import type { ConversationStore } from "../ports/conversation-store.js";

/** `GET /healthz`: 200 when the store answers, 503 otherwise. */
export function registerHealthRoute(app: FastifyInstance, store: ConversationStore): void {
  app.get("/healthz", async (request, reply) => {
    try {
      await store.ping();
      return { status: "ok" };
    } catch (error) {
      request.log.error({ err: error }, "health check: store unreachable");
      return reply
        .code(503)
        .send({ status: "unavailable", error: { code: "STORE_UNREACHABLE", message: "store unreachable" } });
    }
  });
}
