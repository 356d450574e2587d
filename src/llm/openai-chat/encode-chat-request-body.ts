import type { ChatFunctionTool, ChatRequestBody } from "./to-chat-request.js";

/** `,"tools":[…]}` as UTF-8, once per frozen tools array (toChatRequest's, for frozen declarations). */
const encodedTools = new WeakMap<readonly ChatFunctionTool[], Buffer>();

/**
 * The request body as UTF-8 JSON, in one or two chunks: the fields of `JSON.stringify(body)` with
 * `tools` written last. A call sends the same tool declarations every time (≈ 5 KB of JSON schemas
 * for the default tools, most of a short conversation's request), so they are serialized and
 * encoded once per (frozen) tools array; the socket transport writes that chunk as it is, without
 * copying.
 */
export function encodeChatRequestBody(body: ChatRequestBody): Buffer[] {
  const tools = body.tools;
  if (!tools) return [Buffer.from(JSON.stringify(body))];
  let fragment = encodedTools.get(tools);
  if (!fragment) {
    fragment = Buffer.from(`,"tools":${JSON.stringify(tools)}}`);
    // An array that could still change is encoded again next time.
    if (Object.isFrozen(tools)) encodedTools.set(tools, fragment);
  }
  const { tools: _written, ...rest } = body;
  const head = JSON.stringify(rest);
  // `head` ends with the object's closing brace; the fragment brings its own.
  return [Buffer.from(head.slice(0, -1)), fragment];
}

/** The chunks' total length in bytes. */
export function byteLengthOf(chunks: readonly Buffer[]): number {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  return length;
}
