import { describe, expect, it } from "vitest";
import { createChatSseParser } from "../../../src/llm/openai-chat/parse-chat-sse.js";

/** A recorded Chat Completions stream (shortened), with a comment line and the `[DONE]` sentinel. */
const recorded = [
  ": keep-alive",
  "",
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}',
  "",
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Héllo"}}]}',
  "",
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":" wörld 👋"}}]}',
  "",
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
  "",
  "data: [DONE]",
  "",
  "",
].join("\n");

const expectedData = [
  '{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}',
  '{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Héllo"}}]}',
  '{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":" wörld 👋"}}]}',
  '{"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
];

/** Feeds `pieces` (decoded the way the model client decodes: one streaming TextDecoder). */
function parse(pieces: Uint8Array[]): { data: string[]; done: number } {
  const data: string[] = [];
  let done = 0;
  const parser = createChatSseParser({
    onData: (value) => data.push(value),
    onDone: () => done++,
  });
  const decoder = new TextDecoder();
  for (const piece of pieces) parser.push(decoder.decode(piece, { stream: true }));
  parser.push(decoder.decode());
  parser.end();
  return { data, done };
}

const encode = (text: string) => new TextEncoder().encode(text);

describe("createChatSseParser", () => {
  it("yields each event's data and [DONE] for a stream read in one piece", () => {
    expect(parse([encode(recorded)])).toEqual({ data: expectedData, done: 1 });
  });

  it("gives the same events when the bytes are split at every boundary (multi-byte characters included)", () => {
    const bytes = encode(recorded);
    for (let cut = 1; cut < bytes.length; cut++) {
      const result = parse([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(result, `split at byte ${cut}`).toEqual({ data: expectedData, done: 1 });
    }
  });

  it("gives the same events when every byte arrives on its own", () => {
    const bytes = encode(recorded);
    const pieces = Array.from(bytes, (_, index) => bytes.subarray(index, index + 1));
    expect(parse(pieces)).toEqual({ data: expectedData, done: 1 });
  });

  it("accepts CRLF line endings, also with the CR and LF in different reads", () => {
    const bytes = encode(recorded.replaceAll("\n", "\r\n"));
    expect(parse([bytes])).toEqual({ data: expectedData, done: 1 });
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parse([bytes.subarray(0, cut), bytes.subarray(cut)]), `split at byte ${cut}`).toEqual({
        data: expectedData,
        done: 1,
      });
    }
  });

  it("keeps a multi-line event whole when a CRLF between its data lines is split across reads", () => {
    const bytes = encode("data: first\r\ndata: second\r\n\r\n");
    const cut = "data: first\r".length;
    expect(parse([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual({
      data: ["first\nsecond"],
      done: 0,
    });
  });

  it("accepts bare CR line endings", () => {
    expect(parse([encode(recorded.replaceAll("\n", "\r"))])).toEqual({ data: expectedData, done: 1 });
  });

  it("ignores comments and other fields, and joins multi-line data with a newline", () => {
    const text =
      ": ping\nevent: message\nid: 7\nretry: 1000\ndata: first\ndata:second\n\n: another comment\n\n";
    expect(parse([encode(text)])).toEqual({ data: ["first\nsecond"], done: 0 });
  });

  it("dispatches an event the stream ended without a blank line after", () => {
    expect(parse([encode('data: {"a":1}\n\ndata: {"b":2}')])).toEqual({
      data: ['{"a":1}', '{"b":2}'],
      done: 0,
    });
  });

  it("yields nothing for a blank line without data", () => {
    expect(parse([encode("\n\n\n: only a comment\n\n")])).toEqual({ data: [], done: 0 });
  });
});
