import { z } from "zod";
import type { HttpToolDefinition } from "../config/http-tools-file.js";
import type { AgentTool, ToolContext } from "../core/tools/agent-tool.js";
import { ToolError } from "../errors/tool-error.js";
import { type CustomerSummary, customerSummary } from "../identity/customer-summary.js";
import { switchboardPostHeaders } from "../messaging/switchboard-signature.js";
import { logKeys } from "../observability/log-keys.js";
import type { Logger } from "../observability/logger.js";
import type { CustomerStore } from "../ports/customer-store.js";

export interface HttpToolsOptions {
  /** Signs every request (`switchboard-signature`) when set. */
  signingSecret: string | undefined;
  customers: Pick<CustomerStore, "getCustomer" | "listIdentifiers">;
  logger: Logger;
  /** Seconds since the epoch, for the signature's timestamp (tests pin it). */
  now?: () => number;
}

/** What a tool's endpoint receives (docs/tools.md). */
export interface HttpToolRequest {
  tool: string;
  arguments: unknown;
  toolCallId: string;
  turnId: string;
  conversation: { id: string; channel: string };
  customer: CustomerSummary | null;
}

const errorDetailLength = 300;

/**
 * The company's own tools from `TOOLS_FILE`: each one validates the model's arguments against its
 * JSON Schema, POSTs them with the conversation and the customer's verified addresses to its URL,
 * and gives the model the answer. A timeout, a redirect, a non-2xx status or an answer over the size
 * limit becomes an error result the model reads; nothing is retried, since the endpoint may have
 * acted before it failed. Each call carries its own `idempotency-key` (turn and tool call ids).
 */
export function createHttpTools(
  definitions: readonly HttpToolDefinition[],
  options: HttpToolsOptions,
): AgentTool[] {
  return definitions.map((definition) => ({
    name: definition.name,
    description: definition.description,
    inputSchema: z.fromJSONSchema(definition.parameters),
    channels: definition.channels,
    execute: (input: unknown, context: ToolContext) => callTool(definition, input, context),
  }));

  async function callTool(definition: HttpToolDefinition, input: unknown, context: ToolContext) {
    const request: HttpToolRequest = {
      tool: definition.name,
      arguments: input,
      toolCallId: context.toolCallId,
      turnId: context.turnId,
      conversation: { id: context.conversationId, channel: context.channel },
      customer: await customerSummary(options.customers, context.customerId),
    };
    const body = JSON.stringify(request);
    const headers = switchboardPostHeaders({
      body,
      idempotencyKey: `${context.turnId}.${context.toolCallId}`,
      secret: options.signingSecret,
      extra: { accept: "application/json, text/plain;q=0.9", ...definition.headers },
      now: options.now,
    });
    const timeout = AbortSignal.timeout(definition.timeoutMs);
    const startedAt = performance.now();
    const log = (status: number | undefined, outcome: string) =>
      options.logger[outcome === "ok" ? "debug" : "warn"](
        {
          [logKeys.toolName]: definition.name,
          [logKeys.conversationId]: context.conversationId,
          status,
          outcome,
          durationMs: Math.round(performance.now() - startedAt),
        },
        "HTTP tool called",
      );
    try {
      const response = await fetch(definition.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.any([context.abortSignal, timeout]),
      });
      const text = await readLimited(response, definition.maxResponseBytes);
      if (text === undefined) {
        log(response.status, "too-large");
        throw new ToolError(
          `${definition.name} answered with more than ${definition.maxResponseBytes} bytes; it must answer in less.`,
        );
      }
      if (response.status >= 300 && response.status < 400) {
        log(response.status, "redirect");
        throw new ToolError(
          `${definition.name} answered with a redirect (HTTP ${response.status}); it failed.`,
        );
      }
      if (!response.ok) {
        log(response.status, "error-status");
        const detail = errorDetail(text);
        throw new ToolError(
          `${definition.name} failed (HTTP ${response.status})${detail ? `: ${detail}` : "."}`,
        );
      }
      log(response.status, "ok");
      if (text.trim() === "") return { ok: true };
      if (!/\bjson\b/i.test(response.headers.get("content-type") ?? "")) return text;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ToolError(`${definition.name} answered with invalid JSON; it failed.`);
      }
    } catch (error) {
      if (error instanceof ToolError) throw error;
      if (context.abortSignal.aborted)
        throw new ToolError(`${definition.name} was cancelled.`, "TOOL_CANCELLED");
      if (timeout.aborted) {
        log(undefined, "timeout");
        throw new ToolError(
          `${definition.name} did not answer within ${definition.timeoutMs} ms; it failed.`,
        );
      }
      log(undefined, "unreachable");
      throw new ToolError(`${definition.name} could not be reached; it failed.`, "TOOL_FAILED", error);
    }
  }
}

/** The body as text, or undefined once it passes `limit` bytes (the rest is not read). */
async function readLimited(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return "";
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) {
    await response.body.cancel().catch(() => undefined);
    return undefined;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A failed answer's message for the model: its `error`/`message` field, or the start of its text. */
function errorDetail(text: string): string {
  let detail = text.trim();
  try {
    const parsed = JSON.parse(detail) as { error?: unknown; message?: unknown };
    const field = typeof parsed.error === "string" ? parsed.error : parsed.message;
    if (typeof field === "string") detail = field;
    else if (parsed.error && typeof (parsed.error as { message?: unknown }).message === "string") {
      detail = (parsed.error as { message: string }).message;
    }
  } catch {}
  return detail.length > errorDetailLength ? `${detail.slice(0, errorDetailLength)}…` : detail;
}
