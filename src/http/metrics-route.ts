import type { FastifyInstance } from "fastify";
import type { SwitchboardMetrics } from "../observability/metrics.js";
import { bearerTokenCheck } from "./bearer-token.js";

/**
 * `GET /metrics`: the Prometheus text exposition of the app's registry. With a token
 * (`METRICS_TOKEN`), a scrape must bring `Authorization: Bearer <token>` (Prometheus's
 * `authorization` setting); without one it is open, for a scraper on the internal network.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: SwitchboardMetrics,
  options: { token?: string | undefined } = {},
): void {
  const checkToken =
    options.token === undefined
      ? undefined
      : bearerTokenCheck(options.token, "metrics token", "METRICS_TOKEN");
  app.get("/metrics", async (request, reply) => {
    checkToken?.(request.headers.authorization);
    const body = await metrics.exposition();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
