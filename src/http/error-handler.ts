import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SwitchboardError } from "../errors/switchboard-error.js";

/**
 * The one place errors become HTTP responses: a stable code and a clear message, never a stack.
 * 4xx are logged at `warn` (bad input from outside), 5xx at `error`.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | SwitchboardError | Error, request, reply) => {
    let statusCode = 500;
    let code = "INTERNAL_ERROR";
    let message = "Internal server error";
    if (error instanceof SwitchboardError) {
      statusCode = error.statusCode;
      code = error.code;
      message = statusCode >= 500 ? "Internal server error" : error.message;
    } else if ("statusCode" in error && typeof error.statusCode === "number" && error.statusCode < 500) {
      statusCode = error.statusCode;
      code = "code" in error && typeof error.code === "string" ? error.code : "BAD_REQUEST";
      message = error.message;
    }
    if (statusCode >= 500) request.log.error({ err: error, errorCode: code }, "request failed");
    else request.log.warn({ errorCode: code, statusCode, reason: message }, "request rejected");
    return reply.code(statusCode).send({ error: { code, message } });
  });

  app.setNotFoundHandler((request, reply) => {
    return reply
      .code(404)
      .send({ error: { code: "NOT_FOUND", message: `Route ${request.method} ${request.url} not found` } });
  });
}

/**
 * Errors Fastify's router raises before any route runs (a URL that does not decode, a parameter
 * over its length): the same `{ error: { code, message } }` body as every other error.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const statusCode = typeof error.statusCode === "number" && error.statusCode < 500 ? error.statusCode : 400;
  const code = typeof error.code === "string" ? error.code : "BAD_REQUEST";
  request.log.warn({ errorCode: code, statusCode, reason: error.message }, "request rejected");
  void reply.code(statusCode).send({ error: { code, message: error.message } });
}
