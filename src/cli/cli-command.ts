import { ConfigError } from "../errors/config-error.js";

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
