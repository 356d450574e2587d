import type { Readable, Writable } from "node:stream";
import { ConfigError } from "../errors/config-error.js";
import { readEnvironment } from "./call-options.js";

/** What a failure says, for a line of output. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A request to the local server that got no answer, said so that the fix is plain: `fetch failed`
 * alone says little, its cause names the problem (`ECONNREFUSED`: nothing listens there).
 */
export function unreachableMessage(serverUrl: string, error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ECONNREFUSED")
    return `Cannot reach Switchboard at ${serverUrl}: nothing is listening there. Is \`npm start\` running? (--url points elsewhere)`;
  const detail = cause instanceof Error ? ` (${code ?? cause.message})` : "";
  return `Cannot reach Switchboard at ${serverUrl}: ${messageOf(error)}${detail}`;
}

/** Where a command prints (process.stdout, or a test's buffer). */
export interface Output {
  write(text: string): unknown;
}

/** A command: its arguments, the environment (undefined: the process's and .env) → exit code. */
export type CliCommand = (
  argv: readonly string[],
  environment: Record<string, string | undefined> | undefined,
  output: Output,
) => Promise<number>;

/** Prints what is wrong, then how to use the command; exit code 2. */
export function usageError(output: Output, message: string, usage: string): number {
  output.write(`${message}\n\n${usage}\n`);
  return 2;
}

/** Runs `command` as the process's entry point: its exit code; a bad setting printed plainly (exit 2). */
export async function runCliCommand(command: CliCommand): Promise<void> {
  try {
    process.exitCode = await command(process.argv.slice(2), undefined, process.stdout);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  }
}

/** What a terminal session (`npm run call`, `npm run text`) reads from and writes to. */
export interface TerminalIo {
  input: Readable;
  output: Writable;
  /** A person at a terminal (a prompt, and lines sent as typed), not piped input. */
  interactive: boolean;
}

/**
 * Runs a terminal session command as the process's entry point: its options from the command line
 * and the environment (with .env), `--help`, and stdin/stdout as the terminal.
 */
export async function runTerminalSession<Options>(
  parse: (argv: string[], environment: Record<string, string | undefined>) => Options | "help",
  usage: string,
  run: (options: Options, io: TerminalIo) => Promise<number>,
): Promise<void> {
  let options: Options | "help";
  try {
    options = parse(process.argv.slice(2), readEnvironment());
  } catch (error) {
    process.stderr.write(`${messageOf(error)}\n\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  if (options === "help") {
    process.stdout.write(`${usage}\n`);
    return;
  }
  process.exitCode = await run(options, {
    input: process.stdin,
    output: process.stdout,
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  });
  // Stop reading so a still-open stdin does not keep the process alive.
  process.stdin.destroy();
}
