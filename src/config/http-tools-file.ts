import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "../errors/config-error.js";
import { type ChannelName, channelNames } from "../ports/channel.js";

/** One tool of `TOOLS_FILE`: the model calls it, Switchboard POSTs the call to `url`. */
export interface HttpToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema), as the model sees it. */
  parameters: Record<string, unknown>;
  url: string;
  /** Extra request headers, `${VARIABLE}` placeholders already resolved. */
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Channels the tool is offered on; all when omitted. */
  channels: readonly ChannelName[] | undefined;
  /** Largest answer accepted, in bytes; a larger one is an error result for the model. */
  maxResponseBytes: number;
}

export const httpToolDefaults = { timeoutMs: 5000, maxResponseBytes: 16_384 } as const;

const placeholder = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

const toolSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1–64 letters, digits, _ or - (what model providers accept)"),
    description: z.string().trim().min(1, "must say what the tool does (the model reads it)").max(2000),
    parameters: z
      .looseObject({ type: z.literal("object", { error: 'must be a JSON Schema with "type": "object"' }) })
      .default({ type: "object", properties: {} }),
    url: z.string().min(1),
    headers: z.record(z.string(), z.string()).default({}),
    timeoutMs: z.number().int().min(100).max(60_000).default(httpToolDefaults.timeoutMs),
    channels: z
      .array(z.enum(channelNames as [ChannelName, ...ChannelName[]]))
      .min(1)
      .optional(),
    maxResponseBytes: z.number().int().min(256).max(1_048_576).default(httpToolDefaults.maxResponseBytes),
  })
  .strict();

const fileSchema = z.object({ tools: z.array(toolSchema).max(128) }).strict();

/**
 * Reads and validates `TOOLS_FILE` (see docs/tools.md): every problem stops the start with a
 * message naming the file, the tool and the field. `${NAME}` in a URL or a header value is replaced
 * by that environment variable (so secrets stay out of the file); an unset one is an error.
 */
export function loadHttpToolsFile(
  file: string,
  environment: Record<string, string | undefined>,
): HttpToolDefinition[] {
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid TOOLS_FILE (${file}): ${message}`, "TOOLS_FILE");
  };
  let text = "";
  try {
    text = readFileSync(path.resolve(file), "utf8");
  } catch (error) {
    fail(`cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(`not valid JSON (${(error as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path ?? [];
    const tools = (json as { tools?: Array<{ name?: unknown }> } | null)?.tools;
    const index = where[0] === "tools" && typeof where[1] === "number" ? where[1] : undefined;
    const name = index === undefined ? undefined : tools?.[index]?.name;
    const tool =
      index === undefined ? "" : `tool ${typeof name === "string" ? `"${name}"` : `#${index + 1}`}: `;
    const field = index === undefined ? where.join(".") : where.slice(2).join(".");
    fail(`${tool}${field ? `${field}: ` : ""}${issue?.message ?? "invalid"}`);
  }
  const seen = new Set<string>();
  return (parsed.data?.tools ?? []).map((tool) => {
    const where = `tool "${tool.name}"`;
    if (seen.has(tool.name)) fail(`${where} is declared twice`);
    seen.add(tool.name);
    const resolve = (value: string, field: string) =>
      value.replace(placeholder, (_, variable: string) => {
        const resolved = environment[variable];
        if (resolved === undefined || resolved === "") {
          return fail(`${where} ${field} uses \${${variable}}, which is not set in the environment`);
        }
        return resolved;
      });
    const url = resolve(tool.url, "url");
    let target: URL | undefined;
    try {
      target = new URL(url);
    } catch {
      fail(`${where} url is not an absolute URL`);
    }
    if (target?.protocol !== "http:" && target?.protocol !== "https:")
      fail(`${where} url must be http or https`);
    if (target?.username || target?.password) fail(`${where} url must not hold credentials: use headers`);
    const headers: Record<string, string> = {};
    for (const [header, value] of Object.entries(tool.headers)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header))
        fail(`${where} header name "${header}" is not valid`);
      const resolved = resolve(value, `header "${header}"`);
      if (/[\r\n]/.test(resolved)) fail(`${where} header "${header}" holds a line break`);
      headers[header.toLowerCase()] = resolved;
    }
    try {
      z.fromJSONSchema(tool.parameters);
    } catch (error) {
      fail(`${where} parameters: ${(error as Error).message}`);
    }
    return {
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
      url,
      headers,
      timeoutMs: tool.timeoutMs,
      channels: tool.channels,
      maxResponseBytes: tool.maxResponseBytes,
    };
  });
}
