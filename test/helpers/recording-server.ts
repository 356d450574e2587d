import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage["headers"];
  /** The raw body, as received (signatures are computed over it). */
  body: string;
}

export type Answer = (request: RecordedRequest, response: ServerResponse) => void;

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Every request, in order of arrival. */
  requests: RecordedRequest[];
  /** How the following requests are answered. */
  answer: Answer;
  close(): Promise<void>;
}

/** An HTTP server on loopback that records each request whole, then answers it with `answer`. */
export async function startRecordingServer(answer: Answer): Promise<RecordingServer> {
  const recording: RecordingServer = {
    base: "",
    requests: [],
    answer,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const recorded: RecordedRequest = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      recording.requests.push(recorded);
      recording.answer(recorded, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  recording.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return recording;
}

/** A loopback port nothing listens on (a server opened and closed), for "cannot be reached". */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
