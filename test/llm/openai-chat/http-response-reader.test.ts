import { describe, expect, it } from "vitest";
import {
  type HttpResponseHead,
  HttpResponseReader,
} from "../../../src/llm/openai-chat/http-response-reader.js";

interface Read {
  heads: HttpResponseHead[];
  /** The body bytes received so far, decoded as a whole. */
  readonly body: string;
  ends: number;
  reader: HttpResponseReader;
}

function newRead(): Read {
  const pieces: Buffer[] = [];
  const read: Read = {
    heads: [],
    get body() {
      return Buffer.concat(pieces).toString("utf8");
    },
    ends: 0,
    reader: undefined as never,
  };
  read.reader = new HttpResponseReader({
    head: (head) => read.heads.push(head),
    // A view into the pushed buffer: copied, as the reader's contract asks.
    body: (bytes) => pieces.push(Buffer.from(bytes)),
    end: () => {
      read.ends++;
    },
  });
  return read;
}

/** Feeds `raw` in pieces of `size` bytes (1 = every byte boundary). */
function feed(raw: string, size: number): Read {
  const read = newRead();
  const bytes = Buffer.from(raw, "utf8");
  for (let offset = 0; offset < bytes.length; offset += size)
    read.reader.push(bytes.subarray(offset, offset + size));
  return read;
}

const sse = 'data: {"choices":[{"delta":{"content":"héllo"}}]}\n\ndata: [DONE]\n\n';
const sseBytes = Buffer.byteLength(sse);
const half = Math.floor(sseBytes / 2);
const chunked =
  "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\nX-Request-Id: a\r\nx-request-id: b\r\n\r\n" +
  `${half.toString(16)};name=value\r\n${Buffer.from(sse).subarray(0, half).toString("latin1")}\r\n` +
  `${(sseBytes - half).toString(16)}\r\n${Buffer.from(sse).subarray(half).toString("latin1")}\r\n` +
  "0\r\nx-trailer: t\r\n\r\n";

describe("HttpResponseReader", () => {
  it("reads a chunked body split at every byte boundary, with an extension and a trailer", () => {
    // The chunk bodies above are latin1 views of UTF-8 bytes: feed them back as raw bytes.
    for (const size of [1, 2, 3, 7, 64, 100_000]) {
      const read = newRead();
      const bytes = Buffer.from(chunked, "latin1");
      for (let offset = 0; offset < bytes.length; offset += size)
        read.reader.push(bytes.subarray(offset, offset + size));
      expect(read.heads).toEqual([
        {
          status: 200,
          statusText: "OK",
          headers: {
            "content-type": "text/event-stream",
            "transfer-encoding": "chunked",
            "x-request-id": "a, b",
          },
        },
      ]);
      expect(read.body).toBe(sse);
      expect(read.ends).toBe(1);
      expect(read.reader.done).toBe(true);
      expect(read.reader.keepAlive).toBe(true);
    }
  });

  it("reads a content-length body and ignores what follows it", () => {
    const read = feed('HTTP/1.1 400 Bad Request\r\nContent-Length: 13\r\n\r\n{"error":"x"}GARBAGE', 5);
    expect(read.heads[0]?.status).toBe(400);
    expect(read.heads[0]?.statusText).toBe("Bad Request");
    expect(read.body).toBe('{"error":"x"}');
    expect(read.ends).toBe(1);
  });

  it("reads a body delimited by the connection's end, and does not reuse that connection", () => {
    const read = feed("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata: a\n\n", 4);
    expect(read.ends).toBe(0);
    read.reader.eof();
    expect(read.body).toBe("data: a\n\n");
    expect(read.ends).toBe(1);
    expect(read.reader.keepAlive).toBe(false);
  });

  it("skips an interim 100 Continue and honours Connection: close and HTTP/1.0", () => {
    const read = feed(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
      3,
    );
    expect(read.heads.map((head) => head.status)).toEqual([200]);
    expect(read.body).toBe("ok");
    expect(read.reader.keepAlive).toBe(false);
    expect(feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 100).reader.keepAlive).toBe(false);
  });

  it("ends a 204 and an empty content-length at once", () => {
    expect(feed("HTTP/1.1 204 No Content\r\n\r\n", 100).ends).toBe(1);
    expect(feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 100).ends).toBe(1);
  });

  it("throws a clear error for malformed input", () => {
    expect(() => feed("HTTP/2 200\r\n\r\n", 100)).toThrow(/invalid status line/);
    expect(() => feed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 100)).toThrow(/invalid header line/);
    expect(() => feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 100)).toThrow(
      /invalid chunk size/,
    );
    expect(() => feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX", 100)).toThrow(/CRLF/);
    expect(() => feed("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 100)).toThrow(/content-length/);
    expect(() => feed(`HTTP/1.1 200 OK\r\nx: ${"a".repeat(70_000)}`, 1000)).toThrow(/longer than/);
  });

  it("reads chunk sizes in either case, with blanks around and an extension, and refuses anything else", () => {
    const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const body = "0123456789abcdefghijklmnopqrstuvwxyz"; // 36 = 0x24
    for (const sizeLine of ["24", " 24 ", "24;ext=1", "24; ext", "\t24", "0024"]) {
      expect(feed(`${head}${sizeLine}\r\n${body}\r\n0\r\n\r\n`, 7).body).toBe(body);
    }
    const upper = "x".repeat(0xab);
    expect(feed(`${head}AB\r\n${upper}\r\n0\r\n\r\n`, 50).body).toBe(upper);
    for (const sizeLine of ["", ";ext", "24 ;ext", "0x24", "+24", "24 x", "fffffffffffffffff"]) {
      expect(() => feed(`${head}${sizeLine}\r\n${body}\r\n0\r\n\r\n`, 100)).toThrow(
        `invalid chunk size line ${JSON.stringify(sizeLine)}`,
      );
    }
  });

  it("hands over the body once per read, however many chunks the read holds", () => {
    const events = Array.from({ length: 25 }, (_, index) => `data: {"n":${index}}\n\n`);
    const raw = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${events
      .map((event) => `${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`)
      .join("")}0\r\n\r\n`;
    const calls: string[] = [];
    let endedAfter = -1;
    const reader = new HttpResponseReader({
      head: () => undefined,
      body: (bytes) => calls.push(Buffer.from(bytes).toString("utf8")),
      end: () => {
        endedAfter = calls.length;
      },
    });
    reader.push(Buffer.from(raw));
    expect(calls).toEqual([events.join("")]);
    expect(endedAfter).toBe(1);

    // Split in two reads: two hand-overs, in order, the end after the last.
    const second: string[] = [];
    const split = new HttpResponseReader({
      head: () => undefined,
      body: (bytes) => second.push(Buffer.from(bytes).toString("utf8")),
      end: () => second.push("<end>"),
    });
    const bytes = Buffer.from(raw);
    split.push(bytes.subarray(0, 300));
    split.push(bytes.subarray(300));
    expect(second).toHaveLength(3);
    expect(second.at(-1)).toBe("<end>");
    expect(second.slice(0, 2).join("")).toBe(events.join(""));
  });

  it("reports a connection that ends before the head or inside the body", () => {
    expect(() => feed("HTTP/1.1 200 OK\r\n", 100).reader.eof()).toThrow(/before a response/);
    expect(() => feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 100).reader.eof()).toThrow(
      /inside the body/,
    );
  });
});
