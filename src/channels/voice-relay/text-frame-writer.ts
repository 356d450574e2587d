import { textFrame } from "./relay-outbound-frames.js";

/**
 * Streams one reply's text to ConversationRelay with as few frames as possible and no added
 * latency: a token is sent the moment it arrives unless a frame already went out in this turn of
 * the event loop, in which case it joins the text sent when that turn ends (`setImmediate`). A
 * model that produces many tokens at once (a cached answer, several SSE events in one network
 * read) therefore costs one or two frames instead of one per token, and the reply's final text
 * carries `last: true` itself instead of an empty closing frame. An aborted reply sends nothing
 * more.
 */
export class TextFrameWriter {
  private pending = "";
  private inBurst = false;
  private stopped = false;
  /** True once a text frame went out: the reply has a talk cycle to close. */
  started = false;

  constructor(private readonly send: (frame: string) => void) {}

  /** The reply was aborted: nothing more goes out. */
  abort(): void {
    this.stopped = true;
    this.pending = "";
  }

  /** True once `abort` was called. */
  get aborted(): boolean {
    return this.stopped;
  }

  write(token: string): void {
    if (!token || this.stopped) return;
    if (this.inBurst) {
      this.pending += token;
      return;
    }
    this.send(textFrame(token, false));
    this.started = true;
    this.inBurst = true;
    setImmediate(this.endBurst);
  }

  /** Sends the pending text now (before a frame of another type, so the order is kept). */
  flush(): void {
    if (!this.pending || this.stopped) return;
    const text = this.pending;
    this.pending = "";
    this.send(textFrame(text, false));
  }

  /** Ends the reply: the pending text and `last: true` in one frame. */
  end(): void {
    const text = this.pending;
    this.pending = "";
    this.send(textFrame(text, true));
  }

  private readonly endBurst = (): void => {
    this.inBurst = false;
    this.flush();
  };
}
