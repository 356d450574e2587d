/**
 * `npm run tool -- <name> '<arguments as JSON>'`: calls one of your own tools (`TOOLS_FILE`) the way
 * the agent would — the same argument check, request, signature and error results — and prints what
 * the model would get. A way to check a tool's URL, secret and answers without a model or a call.
 */
import { loadConfig } from "../config/config.js";
import { executeToolCall } from "../core/agent/execute-tool-call.js";
import { createToolSet } from "../core/tools/tool-set.js";
import { createLogger } from "../observability/logger.js";
import { createMemoryCustomerStore } from "../stores/memory/create-memory-customer-store.js";
import { createHttpTools } from "../tools/http-tools.js";
import { type CliCommand, type Output, usageError } from "./cli-command.js";

export const tryToolUsage = `Usage: npm run tool -- <tool name> '<arguments as JSON>' [--phone +14155550123] [--email you@example.org]

Calls one of your own tools (TOOLS_FILE, docs/tools.md) as the agent would and prints the result the
model would get. --phone and --email set the customer's verified addresses sent with the call.
Reads the same environment and .env as npm start.`;

const usage = (output: Output, message: string) => usageError(output, message, tryToolUsage);

/** Runs one tool call; resolves with the exit code (0: a result, 1: an error result, 2: bad usage). */
export const tryTool: CliCommand = async (argv, environment, output) => {
  const positional: string[] = [];
  const addresses: { phone?: string; email?: string } = {};
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] ?? "";
    if (argument === "--phone" || argument === "--email") {
      const value = argv[++index];
      if (!value) return usage(output, `${argument} needs a value`);
      addresses[argument === "--phone" ? "phone" : "email"] = value;
    } else if (argument === "--help" || argument === "-h") {
      output.write(`${tryToolUsage}\n`);
      return 0;
    } else positional.push(argument);
  }
  const [name, json = "{}"] = positional;
  if (!name || positional.length > 2) return usage(output, "Give a tool name and, optionally, its arguments");
  const config = loadConfig(environment);
  const definitions = config.httpTools.definitions;
  if (definitions.length === 0) return usage(output, "No tools: set TOOLS_FILE (docs/tools.md)");
  if (!definitions.some((definition) => definition.name === name)) {
    return usage(
      output,
      `No tool "${name}" in ${config.httpTools.file}; there are: ${definitions.map((tool) => tool.name).join(", ")}`,
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    return usage(output, `The arguments are not JSON: ${(error as Error).message}`);
  }
  const customers = createMemoryCustomerStore();
  let customerId: string | null = null;
  if (addresses.phone || addresses.email) {
    const first = addresses.phone ? ("phone" as const) : ("email" as const);
    const { customer } = await customers.resolveCustomer(first, (addresses[first] ?? "").trim());
    if (addresses.phone && addresses.email)
      await customers.linkIdentifier(customer.id, "email", addresses.email.trim());
    customerId = customer.id;
  }
  const toolSet = createToolSet(
    createHttpTools(definitions, {
      signingSecret: config.httpTools.signingSecret,
      customers,
      logger: createLogger({ level: "silent", logCustomerContent: false }),
    }),
  );
  const result = await executeToolCall(
    toolSet,
    { toolCallId: `try_${Date.now()}`, toolName: name, input },
    {
      conversationId: "try-conversation",
      customerId,
      channel: "web",
      turnId: "try",
      abortSignal: new AbortController().signal,
      requestChannelAction: () => undefined,
    },
  );
  output.write(`${result.isError ? "error" : "ok"}: ${JSON.stringify(result.output, null, 2)}\n`);
  return result.isError ? 1 : 0;
};
