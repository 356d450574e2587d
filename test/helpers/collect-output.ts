import { PassThrough } from "node:stream";

/** A writable stream for a terminal command's output, and everything written to it so far. */
export function collectOutput(): { output: PassThrough; text: () => string } {
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { output, text: () => text };
}
