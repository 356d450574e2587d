import {
  createServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from "node:http2";
import type { AddressInfo } from "node:net";

/** One item of `retrievalResults`, in the Retrieve API's JSON shape. */
export interface FakeRetrievalResult {
  content: { text: string; type?: "TEXT" };
  location?: { type: "S3"; s3Location: { uri: string } };
  score?: number;
  metadata?: Record<string, unknown>;
}

/** The JSON body of a Retrieve request, as the SDK sends it. */
export interface FakeRetrieveRequestBody {
  retrievalQuery?: { text?: string };
  retrievalConfiguration?: {
    vectorSearchConfiguration?: { numberOfResults?: number; filter?: Record<string, unknown> };
  };
  nextToken?: string;
}

export interface FakeRetrieveRequest {
  knowledgeBaseId: string;
  body: FakeRetrieveRequestBody;
  /** The SigV4 `authorization` header (present when the client signed the request). */
  authorization: string | undefined;
}

export interface FakeBedrockKnowledgeBaseServer {
  /** Use as the client's `endpoint`. */
  url: string;
  requests: FakeRetrieveRequest[];
  /** Results to answer with, or a function of the request (both trimmed to `numberOfResults`). */
  setResults(
    results: FakeRetrievalResult[] | ((request: FakeRetrieveRequest) => FakeRetrievalResult[]),
  ): void;
  /** The next request fails with this status and AWS error type (e.g. 429 `ThrottlingException`). */
  failNext(failure: { status: number; errorType: string; message?: string }): void;
  close(): Promise<void>;
}

function readBody(request: Http2ServerRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function respond(
  response: Http2ServerResponse,
  status: number,
  json: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(json));
}

/**
 * A fake Amazon Bedrock Agent Runtime `POST /knowledgebases/{knowledgeBaseId}/retrieve` on
 * loopback. It speaks cleartext HTTP/2, because the SDK's client for this service sends every
 * request over HTTP/2 (its default request handler is `NodeHttp2Handler`). It validates the body like the service (non-empty `retrievalQuery.text`,
 * `numberOfResults` 1–100), answers with `{ retrievalResults }` in the real shape, and reports
 * errors the restJson1 way (`x-amzn-errortype` header and `{ message }`).
 */
export async function createFakeBedrockKnowledgeBaseServer(options: {
  knowledgeBaseIds: string[];
}): Promise<FakeBedrockKnowledgeBaseServer> {
  const requests: FakeRetrieveRequest[] = [];
  const failures: Array<{ status: number; errorType: string; message?: string }> = [];
  let results: FakeRetrievalResult[] | ((request: FakeRetrieveRequest) => FakeRetrievalResult[]) = [];

  const server = createServer(async (request, response) => {
    const raw = await readBody(request);
    const error = (status: number, errorType: string, message: string) =>
      respond(response, status, { message }, { "x-amzn-errortype": errorType });
    const match = /^\/knowledgebases\/([^/]+)\/retrieve$/.exec(request.url?.split("?")[0] ?? "");
    if (request.method !== "POST" || !match?.[1]) return error(404, "UnknownOperationException", "Not found");
    const knowledgeBaseId = decodeURIComponent(match[1]);
    let body: FakeRetrieveRequestBody;
    try {
      body = JSON.parse(raw || "{}") as FakeRetrieveRequestBody;
    } catch {
      return error(400, "ValidationException", "Request body is not valid JSON");
    }
    const recorded = { knowledgeBaseId, body, authorization: request.headers.authorization };
    requests.push(recorded);
    const failure = failures.shift();
    if (failure) return error(failure.status, failure.errorType, failure.message ?? "Injected failure");
    if (!options.knowledgeBaseIds.includes(knowledgeBaseId)) {
      return error(404, "ResourceNotFoundException", `Knowledge base ${knowledgeBaseId} not found`);
    }
    if (!body.retrievalQuery?.text) {
      return error(400, "ValidationException", "retrievalQuery.text must have length at least 1");
    }
    const count = body.retrievalConfiguration?.vectorSearchConfiguration?.numberOfResults ?? 5;
    if (!Number.isInteger(count) || count < 1 || count > 100) {
      return error(400, "ValidationException", "numberOfResults must be between 1 and 100");
    }
    const answer = typeof results === "function" ? results(recorded) : results;
    respond(response, 200, { retrievalResults: answer.slice(0, count) });
  });

  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setResults(next) {
      results = next;
    },
    failNext(failure) {
      failures.push(failure);
    },
    close() {
      return new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      });
    },
  };
}
