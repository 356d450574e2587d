/** Receives what an SSE stream carries: each event's `data` and the `[DONE]` sentinel. */
export interface ChatSseHandler {
  /** The data of one event (several `data:` lines joined with `\n`). */
  onData(data: string): void;
  /** `data: [DONE]`, which ends an OpenAI stream. */
  onDone(): void;
}

export interface ChatSseParser {
  /** Feeds decoded text; may hold an incomplete line until the next call. */
  push(text: string): void;
  /** Ends the input: an event not yet closed by a blank line is dispatched. */
  end(): void;
}

const lineFeed = 10;

/**
 * Incremental Server-Sent Events parser for OpenAI-style streams. Lines end with `\n`, `\r\n` or
 * `\r` (also when the `\r\n` pair is split across reads); a blank line ends an event; `:` lines are
 * comments; fields other than `data` (`event`, `id`, `retry`) are ignored. Text is scanned in place:
 * one slice per data line, no per-chunk arrays.
 */
export function createChatSseParser(handler: ChatSseHandler): ChatSseParser {
  let buffered = "";
  let data: string | undefined;
  let skipLineFeed = false;

  function dispatch(): void {
    if (data === undefined) return;
    const event = data;
    data = undefined;
    if (event === "[DONE]") handler.onDone();
    else handler.onData(event);
  }

  function line(text: string, start: number, end: number): void {
    if (start === end) {
      dispatch();
      return;
    }
    if (text.startsWith("data:", start)) {
      const valueStart = text.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
      const value = text.slice(valueStart, end);
      data = data === undefined ? value : `${data}\n${value}`;
    }
    // Comments (`:`) and other fields carry nothing an OpenAI client needs.
  }

  return {
    push(text) {
      if (text.length === 0) return;
      const input = buffered.length > 0 ? buffered + text : text;
      let start = 0;
      if (skipLineFeed) {
        skipLineFeed = false;
        if (input.charCodeAt(0) === lineFeed) start = 1;
      }
      const length = input.length;
      // Native indexOf over the text; `\r` is searched only while one may still come.
      let carriageReturnAt = input.indexOf("\r", start);
      let lineFeedAt = input.indexOf("\n", start);
      for (;;) {
        if (carriageReturnAt !== -1 && carriageReturnAt < start) {
          carriageReturnAt = input.indexOf("\r", start);
        }
        if (lineFeedAt !== -1 && lineFeedAt < start) lineFeedAt = input.indexOf("\n", start);
        const end =
          carriageReturnAt === -1
            ? lineFeedAt
            : lineFeedAt === -1
              ? carriageReturnAt
              : Math.min(carriageReturnAt, lineFeedAt);
        if (end === -1) break;
        line(input, start, end);
        start = end + 1;
        if (end === carriageReturnAt) {
          if (start === length) skipLineFeed = true;
          else if (input.charCodeAt(start) === lineFeed) start++;
        }
      }
      buffered = start < length ? input.slice(start) : "";
    },
    end() {
      if (buffered.length > 0) line(buffered, 0, buffered.length);
      buffered = "";
      dispatch();
    },
  };
}
