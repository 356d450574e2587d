/** The status line and headers of an HTTP/1.1 response (header names lower-cased, repeats joined). */
export interface HttpResponseHead {
  status: number;
  statusText: string;
  headers: Record<string, string>;
}

export interface HttpResponseHandlers {
  /** The final (non-1xx) head; called once, before any body bytes. */
  head(head: HttpResponseHead): void;
  /**
   * Body bytes, de-chunked: what one read carried, once per read however many chunks it held (a
   * view into the received buffer: copy to keep).
   */
  body(bytes: Buffer): void;
  /** The body is complete. */
  end(): void;
}

/** The largest head or chunk-size line accepted, in bytes. */
const maxLineBytes = 64 * 1024;

type Mode = "head" | "chunk-size" | "chunk-data" | "chunk-end" | "trailer" | "length" | "close" | "done";

/**
 * An HTTP/1.1 response parser for one response on a connection, fed with whatever each socket read
 * delivers (a head, chunk-size lines and chunk bodies may be split anywhere). Bodies are chunked,
 * `content-length`-delimited or read until the connection closes; 1xx interim responses are
 * skipped. Malformed input throws an `Error` whose message says what was wrong.
 */
export class HttpResponseReader {
  private mode: Mode = "head";
  private pending: Buffer | undefined;
  private remaining = 0;
  private reusable = true;
  /** Body slices of the read being parsed, handed over together (`flushBody`). */
  private readonly slices: Buffer[] = [];

  constructor(private readonly handlers: HttpResponseHandlers) {}

  /** True once the whole response was read. */
  get done(): boolean {
    return this.mode === "done";
  }

  /** True when the connection may carry another request once this response is done. */
  get keepAlive(): boolean {
    return this.reusable;
  }

  /** Feeds the bytes of one read. Bytes after the end of the response are ignored. */
  push(bytes: Buffer): void {
    try {
      this.parse(bytes);
    } finally {
      this.flushBody();
    }
  }

  private parse(bytes: Buffer): void {
    let data = bytes;
    if (this.pending) {
      data = Buffer.concat([this.pending, bytes]);
      this.pending = undefined;
    }
    let offset = 0;
    while (offset < data.length && this.mode !== "done") {
      switch (this.mode) {
        case "head": {
          const end = data.indexOf("\r\n\r\n", offset, "latin1");
          if (end < 0) {
            this.hold(data, offset, "response head");
            return;
          }
          this.readHead(data.toString("latin1", offset, end));
          offset = end + 4;
          break;
        }
        case "chunk-size": {
          const lineEnd = data.indexOf("\r\n", offset, "latin1");
          if (lineEnd < 0) {
            this.hold(data, offset, "chunk size line");
            return;
          }
          const size = chunkSizeOf(data, offset, lineEnd);
          if (size < 0) {
            const line = data.toString("latin1", offset, Math.min(lineEnd, offset + 40));
            throw new Error(`invalid chunk size line ${JSON.stringify(line)}`);
          }
          offset = lineEnd + 2;
          if (size === 0) this.mode = "trailer";
          else {
            this.remaining = size;
            this.mode = "chunk-data";
          }
          break;
        }
        case "chunk-data":
        case "length": {
          const take = Math.min(this.remaining, data.length - offset);
          const slice = data.subarray(offset, offset + take);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.mode = this.mode === "length" ? "done" : "chunk-end";
          this.slices.push(slice);
          if (this.mode === "done") this.finish();
          break;
        }
        case "chunk-end": {
          if (data.length - offset < 2) {
            this.hold(data, offset, "chunk end");
            return;
          }
          if (data[offset] !== 13 || data[offset + 1] !== 10)
            throw new Error("a chunk does not end with CRLF");
          offset += 2;
          this.mode = "chunk-size";
          break;
        }
        case "trailer": {
          const lineEnd = data.indexOf("\r\n", offset, "latin1");
          if (lineEnd < 0) {
            this.hold(data, offset, "trailer");
            return;
          }
          const empty = lineEnd === offset;
          offset = lineEnd + 2;
          if (empty) this.finish();
          break;
        }
        case "close":
          this.slices.push(data.subarray(offset));
          offset = data.length;
          break;
      }
    }
  }

  /** The connection ended: completes a body read until close, and throws if anything else is unfinished. */
  eof(): void {
    if (this.mode === "done") return;
    if (this.mode === "close") {
      this.finish();
      return;
    }
    throw new Error(
      this.mode === "head"
        ? "the connection closed before a response"
        : "the connection closed inside the body",
    );
  }

  private hold(data: Buffer, offset: number, what: string): void {
    if (data.length - offset > maxLineBytes) throw new Error(`${what} longer than ${maxLineBytes} bytes`);
    this.pending = Buffer.from(data.subarray(offset));
  }

  private readHead(text: string): void {
    let lineEnd = text.indexOf("\r\n");
    if (lineEnd < 0) lineEnd = text.length;
    const firstLine = text.slice(0, lineEnd);
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(firstLine);
    if (!statusLine) throw new Error(`invalid status line ${JSON.stringify(firstLine.slice(0, 60))}`);
    const status = Number(statusLine[2]);
    const headers: Record<string, string> = {};
    // Header lines scanned in place: no array of lines.
    for (let start = lineEnd + 2; start < text.length; start = lineEnd + 2) {
      lineEnd = text.indexOf("\r\n", start);
      if (lineEnd < 0) lineEnd = text.length;
      const colon = text.indexOf(":", start);
      if (colon <= start || colon > lineEnd) {
        throw new Error(
          `invalid header line ${JSON.stringify(text.slice(start, Math.min(lineEnd, start + 60)))}`,
        );
      }
      const name = text.slice(start, colon).trim().toLowerCase();
      const value = text.slice(colon + 1, lineEnd).trim();
      const earlier = headers[name];
      headers[name] = earlier === undefined ? value : `${earlier}, ${value}`;
    }
    if (status >= 100 && status < 200) return; // interim (100 Continue…): the real head follows
    const connection = headers.connection?.toLowerCase() ?? "";
    this.reusable = statusLine[1] === "1" ? !connection.includes("close") : connection.includes("keep-alive");
    this.handlers.head({ status, statusText: statusLine[3] ?? "", headers });
    const transferEncoding = headers["transfer-encoding"]?.toLowerCase();
    const contentLength = headers["content-length"];
    if (status === 204 || status === 304) this.finish();
    else if (transferEncoding?.includes("chunked")) this.mode = "chunk-size";
    else if (contentLength !== undefined) {
      const length = Number(contentLength);
      if (!/^\d+$/.test(contentLength) || !Number.isSafeInteger(length)) {
        throw new Error(`invalid content-length ${JSON.stringify(contentLength)}`);
      }
      if (length === 0) this.finish();
      else {
        this.remaining = length;
        this.mode = "length";
      }
    } else {
      this.mode = "close";
      this.reusable = false;
    }
  }

  /** The body is complete: what this read carried goes out first. */
  private finish(): void {
    this.mode = "done";
    this.flushBody();
    this.handlers.end();
  }

  /** Hands over the body slices gathered from this read, joined when there are several. */
  private flushBody(): void {
    const count = this.slices.length;
    if (count === 0) return;
    const bytes = count === 1 ? (this.slices[0] as Buffer) : Buffer.concat(this.slices);
    this.slices.length = 0;
    this.handlers.body(bytes);
  }
}

/**
 * The size on a chunk-size line: hex digits, optionally followed by `;` and an extension, with
 * blanks around; -1 when the line is anything else (or the size is not a safe integer).
 */
function chunkSizeOf(data: Buffer, start: number, end: number): number {
  let at = start;
  while (at < end && isBlank(data[at] as number)) at++;
  const digitsStart = at;
  let size = 0;
  for (; at < end; at++) {
    const digit = hexValue(data[at] as number);
    if (digit < 0) break;
    size = size * 16 + digit;
  }
  if (at === digitsStart || !Number.isSafeInteger(size)) return -1;
  if (at < end && data[at] === semicolon) return size;
  while (at < end && isBlank(data[at] as number)) at++;
  return at === end ? size : -1;
}

const semicolon = 0x3b;

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}
