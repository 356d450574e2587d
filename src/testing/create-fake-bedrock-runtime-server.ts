import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { closeHttpServer } from "./close-http-server.js";

/** What the fake answers: streamed text tokens, or tool calls, optionally cut by an exception. */
export interface FakeBedrockReply {
  /** Text tokens, one `contentBlockDelta` each. Default: `["Hello", " from", " the", " fake", " Bedrock."]`. */
  tokens?: string[];
  /** Tool calls instead of text (input JSON streamed in two `toolUse.input` pieces). */
  toolCalls?: Array<{ name: string; input: Record<string, unknown> }>;
  /** An exception frame (`:message-type: exception`) after `afterTokens` tokens; the stream then ends. */
  exception?: { type: string; message?: string; afterTokens?: number };
  /** Milliseconds between streamed events (0: all at once). */
  delayMs?: number;
  /**
   * How the frames are written: `split` (default) cuts them at awkward places (inside the length
   * prefix, mid-frame, one frame's tail together with the next frame's head), with an event-loop
   * turn between writes; `whole` writes one frame per write, back to back; `spaced` writes one frame
   * per write with an event-loop turn between them (one frame per packet, like a live model).
   */
  chunking?: "split" | "whole" | "spaced";
}

export interface FakeBedrockRequest {
  method: string;
  path: string;
  /** The decoded `{modelId}` of the path. */
  modelId: string;
  operation: "converse" | "converse-stream" | undefined;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`messages`, `system`, `inferenceConfig`, `toolConfig`…). */
  body: Record<string, unknown>;
  /** The parts of the SigV4 `authorization` header, when its shape was right. */
  signature: { accessKeyId: string; date: string; region: string; signedHeaders: string[] } | undefined;
  /** The status the fake answered with. */
  status: number;
}

export interface FakeBedrockRuntimeServer {
  /** Base URL (no trailing slash), for `endpoint` / `baseURL`. */
  url: string;
  /** Every request received, in order, rejected ones included. */
  requests: FakeBedrockRequest[];
  /** The next `count` requests fail with HTTP `status` (the AWS error type is derived from it unless given). */
  failNext(count: number, status?: number, errorType?: string): void;
  /** Replaces the reply for the following requests. */
  setReply(reply: FakeBedrockReply | ((request: FakeBedrockRequest) => FakeBedrockReply)): void;
  /** Stops the server (idempotent). */
  close(): Promise<void>;
}

const defaultTokens = ["Hello", " from", " the", " fake", " Bedrock."];
const codec = new EventStreamCodec(toUtf8, fromUtf8);

const errorTypeOfStatus: Readonly<Record<number, string>> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

/**
 * A real HTTP server on 127.0.0.1 speaking the Bedrock Runtime Converse wire format:
 * `POST /model/{modelId}/converse-stream` answers `application/vnd.amazon.eventstream` frames
 * (messageStart, contentBlockStart/Delta/Stop, messageStop, metadata, or an exception frame),
 * encoded with `EventStreamCodec`; `POST /model/{modelId}/converse` answers JSON. It rejects (403)
 * requests whose SigV4 `authorization` header has the wrong shape or whose
 * `x-amz-content-sha256` does not match the body, and (400) message lists Bedrock would reject.
 */
export async function createFakeBedrockRuntimeServer(
  initialReply: FakeBedrockReply | ((request: FakeBedrockRequest) => FakeBedrockReply) = {},
  options: { region?: string; accessKeyId?: string } = {},
): Promise<FakeBedrockRuntimeServer> {
  const requests: FakeBedrockRequest[] = [];
  let reply = initialReply;
  let failures = { count: 0, status: 500, errorType: undefined as string | undefined };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      const path = (request.url ?? "/").split("?")[0] ?? "/";
      const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path);
      const recorded: FakeBedrockRequest = {
        method: request.method ?? "GET",
        path,
        modelId: match?.[1] ? decodeURIComponent(match[1]) : "",
        operation: match?.[2] as FakeBedrockRequest["operation"],
        headers: request.headers,
        body: {},
        signature: undefined,
        status: 200,
      };
      requests.push(recorded);
      const fail = (status: number, errorType: string, message: string) => {
        recorded.status = status;
        sendError(response, status, errorType, message);
      };
      const signature = checkSignature(request.headers, raw, options);
      if (typeof signature === "string") return fail(403, "InvalidSignatureException", signature);
      recorded.signature = signature;
      if (request.method !== "POST" || !match) {
        return fail(404, "UnknownOperationException", `No route for ${request.method} ${path}`);
      }
      try {
        recorded.body = JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        return fail(400, "SerializationException", "Request body is not valid JSON");
      }
      if (failures.count > 0) {
        failures.count--;
        const errorType =
          failures.errorType ?? errorTypeOfStatus[failures.status] ?? "InternalServerException";
        return fail(failures.status, errorType, `Fake failure (HTTP ${failures.status})`);
      }
      const problem = validateConverseBody(recorded.body);
      if (problem) return fail(400, "ValidationException", problem);
      const chosen = typeof reply === "function" ? reply(recorded) : reply;
      if (recorded.operation === "converse") return answerConverse(response, recorded, chosen, fail);
      void streamFrames(response, converseStreamFrames(recorded.body, chosen), chosen);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, status = 500, errorType) {
      failures = { count, status, errorType };
    },
    setReply(next) {
      reply = next;
    },
    close: () => closeHttpServer(server),
  };
}

const authorizationPattern =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/bedrock\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** The SigV4 header's parts, or what is wrong with it. */
function checkSignature(
  headers: IncomingHttpHeaders,
  body: Buffer,
  expected: { region?: string; accessKeyId?: string },
): FakeBedrockRequest["signature"] | string {
  const match = authorizationPattern.exec(headers.authorization ?? "");
  if (!match) return `Malformed or missing SigV4 authorization header: ${headers.authorization ?? "(none)"}`;
  const [, accessKeyId = "", date = "", region = "", signedHeaderList = ""] = match;
  const signedHeaders = signedHeaderList.split(";");
  for (const required of ["host", "x-amz-date"]) {
    if (!signedHeaders.includes(required)) return `SignedHeaders lacks ${required}`;
  }
  for (const name of signedHeaders) {
    if (headers[name] === undefined) return `Signed header ${name} was not sent`;
  }
  const amazonDate = String(headers["x-amz-date"] ?? "");
  if (!/^\d{8}T\d{6}Z$/.test(amazonDate) || !amazonDate.startsWith(date)) {
    return `x-amz-date ${amazonDate} does not match the credential date ${date}`;
  }
  if (expected.region && region !== expected.region)
    return `Signed for region ${region}, not ${expected.region}`;
  if (expected.accessKeyId && accessKeyId !== expected.accessKeyId) {
    return `The security token included in the request is invalid (${accessKeyId})`;
  }
  const contentHash = headers["x-amz-content-sha256"];
  if (contentHash !== undefined && contentHash !== "UNSIGNED-PAYLOAD") {
    const actual = createHash("sha256").update(body).digest("hex");
    if (contentHash !== actual)
      return `x-amz-content-sha256 ${contentHash} does not match the body (${actual})`;
  }
  return { accessKeyId, date, region, signedHeaders };
}

/** The checks Bedrock makes that a prompt mapping most easily gets wrong. */
function validateConverseBody(body: Record<string, unknown>): string | undefined {
  const messages = body.messages as
    | Array<{ role?: string; content?: Array<Record<string, unknown>> }>
    | undefined;
  if (!Array.isArray(messages) || messages.length === 0) return "messages must contain at least one message";
  if (messages[0]?.role !== "user") return "A conversation must start with a user message.";
  let usesTools = false;
  for (const [index, message] of messages.entries()) {
    if (index > 0 && messages[index - 1]?.role === message.role) {
      return "A conversation must alternate between user and assistant roles.";
    }
    if (!Array.isArray(message.content) || message.content.length === 0) {
      return `messages.${index}.content must not be empty`;
    }
    for (const block of message.content) {
      if (typeof block.text === "string" && block.text.trim() === "") {
        return "The text field in the ContentBlock object is blank.";
      }
      if (block.toolUse || block.toolResult) usesTools = true;
    }
  }
  if (usesTools && !body.toolConfig) {
    return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  }
  return undefined;
}

function sendError(response: ServerResponse, status: number, errorType: string, message: string): void {
  response.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-errortype": `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    "x-amzn-requestid": "fake-request-id",
  });
  response.end(JSON.stringify({ message }));
}

/** Rough token count of a request: a token per four characters of JSON. */
function inputTokens(body: Record<string, unknown>): number {
  return Math.max(1, Math.round(JSON.stringify([body.system ?? "", body.messages ?? ""]).length / 4));
}

function splitInTwo(text: string): string[] {
  const middle = Math.ceil(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)].filter(Boolean);
}

function toolUseId(index: number): string {
  return `tooluse_fake${index + 1}`;
}

function answerConverse(
  response: ServerResponse,
  request: FakeBedrockRequest,
  reply: FakeBedrockReply,
  fail: (status: number, errorType: string, message: string) => void,
): void {
  if (reply.exception) {
    const errorType = reply.exception.type.charAt(0).toUpperCase() + reply.exception.type.slice(1);
    const status = Number(
      Object.entries(errorTypeOfStatus).find(([, type]) => type === errorType)?.[0] ?? 500,
    );
    fail(status, errorType, reply.exception.message ?? "Fake exception");
    return;
  }
  const tokens = reply.toolCalls ? [] : (reply.tokens ?? defaultTokens);
  const content: unknown[] = tokens.length > 0 ? [{ text: tokens.join("") }] : [];
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    content.push({ toolUse: { toolUseId: toolUseId(index), name: call.name, input: call.input } });
  }
  const outputTokens = tokens.length + (reply.toolCalls?.length ?? 0);
  const input = inputTokens(request.body);
  response.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "fake-request-id" });
  response.end(
    JSON.stringify({
      output: { message: { role: "assistant", content } },
      stopReason: reply.toolCalls ? "tool_use" : "end_turn",
      usage: { inputTokens: input, outputTokens, totalTokens: input + outputTokens },
      metrics: { latencyMs: 1 },
    }),
  );
}

export interface FakeBedrockFrame {
  messageType: "event" | "exception";
  type: string;
  payload: Record<string, unknown>;
}

/** The ConverseStream events of a reply, in the order Bedrock sends them. */
function converseStreamFrames(body: Record<string, unknown>, reply: FakeBedrockReply): FakeBedrockFrame[] {
  const frames: FakeBedrockFrame[] = [];
  const event = (type: string, payload: Record<string, unknown>) =>
    frames.push({
      messageType: "event",
      type,
      payload: { ...payload, p: "abcdefghij".slice(0, frames.length % 10) },
    });
  const tokens = reply.toolCalls ? [] : (reply.tokens ?? defaultTokens);
  const exception = reply.exception;
  event("messageStart", { role: "assistant" });
  for (const [index, token] of tokens.entries()) {
    if (exception && index === (exception.afterTokens ?? 0)) break;
    event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: token } });
  }
  if (exception) {
    frames.push({
      messageType: "exception",
      type: exception.type,
      payload: { message: exception.message ?? "Fake exception" },
    });
    return frames;
  }
  if (tokens.length > 0) event("contentBlockStop", { contentBlockIndex: 0 });
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    event("contentBlockStart", {
      contentBlockIndex: index,
      start: { toolUse: { toolUseId: toolUseId(index), name: call.name } },
    });
    for (const piece of splitInTwo(JSON.stringify(call.input))) {
      event("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input: piece } } });
    }
    event("contentBlockStop", { contentBlockIndex: index });
  }
  event("messageStop", { stopReason: reply.toolCalls ? "tool_use" : "end_turn" });
  const input = inputTokens(body);
  const outputTokens = tokens.length + (reply.toolCalls?.length ?? 0);
  event("metadata", {
    usage: { inputTokens: input, outputTokens, totalTokens: input + outputTokens },
    metrics: { latencyMs: 1 },
  });
  return frames;
}

/** One frame in the binary event-stream encoding, with the headers Bedrock sends. */
export function encodeBedrockFrame(frame: FakeBedrockFrame): Uint8Array {
  const headers: MessageHeaders = {
    ":message-type": { type: "string", value: frame.messageType },
    [frame.messageType === "event" ? ":event-type" : ":exception-type"]: {
      type: "string",
      value: frame.type,
    },
    ":content-type": { type: "string", value: "application/json" },
  };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(frame.payload)) });
}

/**
 * Writes the frames. `split` cuts each frame three bytes into its length prefix and again in its
 * middle, so a write holds one frame's tail and the next frame's head.
 */
async function streamFrames(
  response: ServerResponse,
  frames: FakeBedrockFrame[],
  reply: FakeBedrockReply,
): Promise<void> {
  response.writeHead(200, {
    "content-type": "application/vnd.amazon.eventstream",
    "x-amzn-requestid": "fake-request-id",
  });
  const delayMs = reply.delayMs ?? 0;
  const encoded = frames.map(encodeBedrockFrame);
  const pause = (turn: boolean) =>
    delayMs > 0
      ? new Promise<void>((resolve) => setTimeout(resolve, delayMs))
      : turn
        ? new Promise<void>((resolve) => setImmediate(resolve))
        : undefined;
  if (reply.chunking === "whole" || reply.chunking === "spaced") {
    for (const frame of encoded) {
      if (response.destroyed) return;
      response.write(frame);
      await pause(reply.chunking === "spaced");
    }
    response.end();
    return;
  }
  let carry: Uint8Array = new Uint8Array(0);
  for (const frame of encoded) {
    if (response.destroyed) return;
    const middle = Math.floor(frame.byteLength / 2);
    response.write(Buffer.concat([carry, frame.subarray(0, 3)]));
    response.write(frame.subarray(3, middle));
    carry = frame.subarray(middle);
    await pause(true);
  }
  if (!response.destroyed) response.end(carry);
}
