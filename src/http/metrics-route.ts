import type { FastifyInstance } from "fastify";
import type { SwitchboardMetrics } from "../observability/metrics.js";

/** `GET /metrics`: the Prometheus text exposition of the app's registry. */
export function registerMetricsRoute(app: FastifyInstance, metrics: SwitchboardMetrics): void {
  app.get("/metrics", async (_request, reply) => {
    const body = await metrics.exposition();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
