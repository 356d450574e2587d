// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${TablePrefix} is CloudFormation's !Sub syntax, not a template.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { mainTableDefinition, timeToLiveAttribute } from "../../src/stores/dynamodb/dynamodb-table.js";

const templatePath = new URL("../../deploy/aws/switchboard.yaml", import.meta.url);
const templateText = readFileSync(templatePath, "utf8");
/** CloudFormation's short forms (`!Ref`, `!Sub` …) are read as their plain values: enough to compare. */
const template = parse(templateText, { logLevel: "silent" }) as {
  Parameters: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};
/** The value at `path` in a resource's properties (undefined when absent). */
function property(name: string, ...path: Array<string | number>): unknown {
  const found = template.Resources[name];
  if (!found) throw new Error(`No resource ${name}`);
  let value: unknown = found.Properties;
  for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key];
  return value;
}

function cfnLintPath(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v cfn-lint"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** The IAM action of each DynamoDB command the store sends (`new GetCommand` → `dynamodb:GetItem`). */
function dynamoDbActionsTheStoreUses(): string[] {
  const directory = new URL("../../src/stores/dynamodb/", import.meta.url);
  const commands = new Set<string>();
  for (const file of readdirSync(directory)) {
    const source = readFileSync(new URL(file, directory), "utf8");
    for (const [, command] of source.matchAll(/new ([A-Za-z]+)Command\(/g)) commands.add(command ?? "");
  }
  const itemCommands: Record<string, string> = {
    Get: "GetItem",
    Put: "PutItem",
    Update: "UpdateItem",
    Delete: "DeleteItem",
    BatchWrite: "BatchWriteItem",
  };
  return [...commands].map((command) => `dynamodb:${itemCommands[command] ?? command}`).sort();
}

describe("deploy/aws/switchboard.yaml (CloudFormation)", () => {
  it("declares the table exactly as the store would create it, with its TTL", () => {
    const expected = mainTableDefinition("ignored");
    expect(property("Table", "BillingMode")).toBe(expected.BillingMode);
    expect(property("Table", "AttributeDefinitions")).toEqual(expected.AttributeDefinitions);
    expect(property("Table", "KeySchema")).toEqual(expected.KeySchema);
    expect(property("Table", "GlobalSecondaryIndexes")).toEqual(expected.GlobalSecondaryIndexes);
    expect(property("Table", "TimeToLiveSpecification")).toEqual({
      AttributeName: timeToLiveAttribute,
      Enabled: true,
    });
    expect(property("Table", "TableName")).toBe("${TablePrefix}-main");
  });

  it("lets the task call every DynamoDB action the store sends, except creating the table it declares", () => {
    const statements = property("TaskRole", "Policies", 0, "PolicyDocument", "Statement") as Array<{
      Sid: string;
      Action: string[];
    }>;
    const granted = statements.find((statement) => statement.Sid === "SwitchboardTable")?.Action ?? [];
    const needed = dynamoDbActionsTheStoreUses().filter((action) => action !== "dynamodb:CreateTable");
    expect(needed.length).toBeGreaterThan(6);
    expect([...granted].sort()).toEqual(needed);
  });

  it("runs the image as the Dockerfile builds it: its port, the DynamoDB store, /healthz, long-lived WebSockets", () => {
    const dockerfile = readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8");
    const exposed = Number(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]);
    const container = ["ContainerDefinitions", 0] as const;
    expect(property("TaskDefinition", ...container, "PortMappings", 0, "ContainerPort")).toBe(exposed);
    expect(property("TargetGroup", "Port")).toBe(exposed);
    const variables = property("TaskDefinition", ...container, "Environment") as Array<{
      Name?: string;
      Value?: unknown;
    }>;
    const environment = Object.fromEntries(
      variables.filter((variable) => variable.Name).map((variable) => [variable.Name, variable.Value]),
    );
    expect(environment).toMatchObject({
      STORE: "dynamodb",
      LLM_PROVIDER: "bedrock",
      PUBLIC_URL: "PublicUrl",
    });
    const secrets = property("TaskDefinition", ...container, "Secrets") as Array<{ Name: string }>;
    expect(secrets.map((secret) => secret.Name)).toContain("TWILIO_AUTH_TOKEN");
    expect(property("TargetGroup", "HealthCheckPath")).toBe("/healthz");
    const attributes = property("LoadBalancer", "LoadBalancerAttributes") as Array<{
      Key: string;
      Value: string;
    }>;
    const idle = attributes.find((attribute) => attribute.Key === "idle_timeout.timeout_seconds");
    expect(Number(idle?.Value)).toBeGreaterThanOrEqual(900);
    // The server keeps idle connections longer than the balancer, which then never reuses a closing one.
    expect(Number(environment.KEEP_ALIVE_TIMEOUT_SECONDS)).toBeGreaterThan(Number(idle?.Value));
  });

  it("takes only the retention the server accepts, and keeps /metrics off the internet", () => {
    const parameter = template.Parameters.RetentionDays as { AllowedPattern: string };
    const pattern = new RegExp(parameter.AllowedPattern);
    for (const accepted of ["", "1", "7", "365", "9999", "10000", "36499", "36500"])
      expect(pattern.test(accepted), accepted).toBe(true);
    for (const refused of ["0", "01", "36501", "40000", "99999", "100000", "-1", "1.5"])
      expect(pattern.test(refused), refused).toBe(false);
    expect(property("MetricsNotPublic", "Conditions", 0, "PathPatternConfig", "Values")).toContain(
      "/metrics",
    );
    expect(property("MetricsNotPublic", "Actions", 0, "FixedResponseConfig", "StatusCode")).toBe("404");
  });

  it.skipIf(!cfnLintPath())("passes cfn-lint", () => {
    const lint = cfnLintPath() ?? "cfn-lint";
    const run = () => execFileSync(lint, [templatePath.pathname], { encoding: "utf8" });
    expect(run).not.toThrow();
  });
});
