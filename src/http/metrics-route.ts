import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { SwitchboardError } from "../errors/switchboard-error.js";
import type { SwitchboardMetrics } from "../observability/metrics.js";

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
  const expected = options.token === undefined ? undefined : Buffer.from(`Bearer ${options.token}`);
  app.get("/metrics", async (request, reply) => {
    if (expected) {
      const given = Buffer.from(request.headers.authorization ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw new SwitchboardError(
          "UNAUTHORIZED",
          "Missing or wrong metrics token (Authorization: Bearer $METRICS_TOKEN)",
          {
            statusCode: 401,
          },
        );
    }
    const body = await metrics.exposition();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
