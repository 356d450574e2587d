// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the tools file's own placeholder syntax, not a template.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { loadHttpToolsFile } from "../../src/config/http-tools-file.js";
import { ConfigError } from "../../src/errors/config-error.js";

const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-tools-file-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let fileCount = 0;
function toolsFile(content: unknown): string {
  const file = path.join(directory, `tools-${++fileCount}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

const orderStatus = {
  name: "order_status",
  description: "Looks up an order by its number.",
  parameters: {
    type: "object",
    properties: { orderNumber: { type: "string", description: "e.g. A-1042" } },
    required: ["orderNumber"],
  },
  url: "https://api.example.com/tools/order-status",
};

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("TOOLS_FILE", () => {
  it("loads the tools with their defaults, and resolves ${VARIABLE} in the URL and headers", () => {
    const file = toolsFile({
      tools: [
        {
          ...orderStatus,
          url: "https://${ORDERS_HOST}/tools/order-status",
          headers: { Authorization: "Bearer ${ORDERS_TOKEN}" },
        },
        {
          name: "book_table",
          description: "Books a table.",
          url: "http://127.0.0.1:9000/book",
          timeoutMs: 2000,
          channels: ["voice", "web"],
          maxResponseBytes: 1024,
        },
      ],
    });
    const tools = loadHttpToolsFile(file, { ORDERS_HOST: "orders.example.com", ORDERS_TOKEN: "s3cret" });
    expect(tools).toEqual([
      {
        name: "order_status",
        description: "Looks up an order by its number.",
        parameters: orderStatus.parameters,
        url: "https://orders.example.com/tools/order-status",
        headers: { authorization: "Bearer s3cret" },
        timeoutMs: 5000,
        channels: undefined,
        maxResponseBytes: 16_384,
      },
      {
        name: "book_table",
        description: "Books a table.",
        parameters: { type: "object", properties: {} },
        url: "http://127.0.0.1:9000/book",
        headers: {},
        timeoutMs: 2000,
        channels: ["voice", "web"],
        maxResponseBytes: 1024,
      },
    ]);
  });

  it("reaches the config through loadConfig, with the signing secret", () => {
    const file = toolsFile({ tools: [orderStatus] });
    const config = loadConfig({ TOOLS_FILE: file, TOOLS_SIGNING_SECRET: "0123456789abcdef0123" });
    expect(config.httpTools.file).toBe(file);
    expect(config.httpTools.definitions.map((tool) => tool.name)).toEqual(["order_status"]);
    expect(config.httpTools.signingSecret).toBe("0123456789abcdef0123");
    expect(loadConfig({}).httpTools).toEqual({ file: undefined, definitions: [], signingSecret: undefined });
  });

  it("refuses a short signing secret without showing it", () => {
    const error = errorOf(() => loadConfig({ TOOLS_SIGNING_SECRET: "short-secret" }));
    expect(error.variable).toBe("TOOLS_SIGNING_SECRET");
    expect(error.message).toContain("at least 16 characters");
    expect(error.message).not.toContain("short-secret");
  });

  it.each([
    ["a missing file", () => path.join(directory, "missing.json"), "cannot read it (ENOENT)"],
    ["invalid JSON", () => toolsFile("{ tools: ["), "not valid JSON"],
    ["no tools list", () => toolsFile({ tool: [] }), "tools:"],
    [
      "a bad name",
      () => toolsFile({ tools: [{ ...orderStatus, name: "order status" }] }),
      'tool "order status": name: must be 1–64 letters',
    ],
    [
      "no description",
      () => toolsFile({ tools: [{ ...orderStatus, description: " " }] }),
      'tool "order_status": description: must say what the tool does',
    ],
    [
      "parameters that are not an object schema",
      () => toolsFile({ tools: [{ ...orderStatus, parameters: { type: "string" } }] }),
      'parameters.type: must be a JSON Schema with "type": "object"',
    ],
    [
      "parameters with an unknown type",
      () =>
        toolsFile({
          tools: [{ ...orderStatus, parameters: { type: "object", properties: { a: { type: "strin" } } } }],
        }),
      'tool "order_status" parameters: Unsupported type: strin',
    ],
    [
      "an unknown channel",
      () => toolsFile({ tools: [{ ...orderStatus, channels: ["fax"] }] }),
      'tool "order_status": channels.0:',
    ],
    [
      "an unknown field",
      () => toolsFile({ tools: [{ ...orderStatus, method: "GET" }] }),
      'tool "order_status": Unrecognized key: "method"',
    ],
    [
      "a timeout out of range",
      () => toolsFile({ tools: [{ ...orderStatus, timeoutMs: 120_000 }] }),
      'tool "order_status": timeoutMs:',
    ],
    [
      "a relative URL",
      () => toolsFile({ tools: [{ ...orderStatus, url: "/tools/order-status" }] }),
      'tool "order_status" url is not an absolute URL',
    ],
    [
      "a URL that is not http",
      () => toolsFile({ tools: [{ ...orderStatus, url: "ftp://example.com/x" }] }),
      "url must be http or https",
    ],
    [
      "credentials in the URL",
      () => toolsFile({ tools: [{ ...orderStatus, url: "https://user:pw@example.com/x" }] }),
      "url must not hold credentials",
    ],
    [
      "a header from an unset variable",
      () => toolsFile({ tools: [{ ...orderStatus, headers: { authorization: "Bearer ${NOT_SET_HERE}" } }] }),
      'tool "order_status" header "authorization" uses ${NOT_SET_HERE}, which is not set in the environment',
    ],
    [
      "a bad header name",
      () => toolsFile({ tools: [{ ...orderStatus, headers: { "bad header": "x" } }] }),
      'header name "bad header" is not valid',
    ],
    [
      "the same tool twice",
      () => toolsFile({ tools: [orderStatus, orderStatus] }),
      'tool "order_status" is declared twice',
    ],
  ])("stops the start on %s, naming the file and the problem", (_, makeFile, expected) => {
    const file = makeFile();
    const error = errorOf(() => loadConfig({ TOOLS_FILE: file }));
    expect(error.variable).toBe("TOOLS_FILE");
    expect(error.message).toContain(`Invalid TOOLS_FILE (${file}): `);
    expect(error.message).toContain(expected);
  });

  it("never puts a resolved secret in an error message", () => {
    const file = toolsFile({
      tools: [
        { ...orderStatus, headers: { authorization: "Bearer ${ORDERS_TOKEN}", "x-bad": "${MISSING}" } },
      ],
    });
    const error = errorOf(() => loadHttpToolsFile(file, { ORDERS_TOKEN: "very-secret-value" }));
    expect(error.message).toContain("${MISSING}");
    expect(error.message).not.toContain("very-secret-value");
  });
});
