import readline from "node:readline";
import type { Writable } from "node:stream";

/**
 * The terminal side of a call: the agent's streamed tokens on one `agent>` line, bracketed notices,
 * and (at a terminal) a `you>` prompt that is cleared while the agent talks.
 */
export class CallTranscript {
  /** Tokens of the reply being streamed (empty between replies). */
  replyTokens: string[] = [];
  /** The text of the last finished reply that said something. */
  lastReplyText = "";
  #midLine = false;
  #promptShown = false;
  #promptsEnabled = true;
  readonly #output: Writable;
  readonly #lines: readline.Interface | undefined;

  /** `lines` only at a terminal: it draws the prompt. */
  constructor(output: Writable, lines: readline.Interface | undefined) {
    this.#output = output;
    this.#lines = lines;
  }

  /** A line of its own (after ending any streamed line). */
  print(line: string): void {
    this.freshLine();
    this.#output.write(`${line}\n`);
  }

  /** One `text` token; `last` ends the reply's line (an empty reply prints nothing). */
  token(token: string, last: boolean): void {
    if (token !== "") {
      if (!this.#midLine) {
        this.freshLine();
        this.#output.write("agent> ");
        this.#midLine = true;
      }
      this.#output.write(token);
    }
    this.replyTokens.push(token);
    if (last) {
      this.freshLine();
      const text = this.replyTokens.join("");
      if (text !== "") this.lastReplyText = text;
      this.replyTokens = [];
    }
  }

  /** What the caller heard so far: the reply being streamed, else the last one. */
  heardSoFar(): string {
    return this.replyTokens.length > 0 ? this.replyTokens.join("") : this.lastReplyText;
  }

  get isStreaming(): boolean {
    return this.#midLine;
  }

  /** Shows `you>` at a terminal (no-op for piped input or once prompts are stopped). */
  showPrompt(): void {
    if (!this.#lines || !this.#promptsEnabled) return;
    this.#promptShown = true;
    this.#lines.prompt(true);
  }

  /** The person pressed Enter: the prompt line is theirs now. */
  lineEntered(): void {
    this.#promptShown = false;
  }

  stopPrompts(): void {
    this.#promptsEnabled = false;
    this.freshLine();
  }

  /** Makes room for output: removes a shown prompt, ends a line of streamed tokens. */
  freshLine(): void {
    if (this.#promptShown) {
      readline.clearLine(this.#output, 0);
      readline.cursorTo(this.#output, 0);
      this.#promptShown = false;
    }
    if (this.#midLine) this.#output.write("\n");
    this.#midLine = false;
  }
}
