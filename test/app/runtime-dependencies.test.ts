import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const packageJson = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

/** Runtime imports of a TypeScript file (static, re-exports, side effects and dynamic `import()`); type-only ones are left out. */
function runtimeImports(source: string): string[] {
  const found: string[] = [];
  const statement = /(?:^|[\n;])\s*(?:import|export)\s+(?!type\b)(?:[^;"']*?\sfrom\s+)?["']([^"']+)["']/g;
  const dynamic = /\bimport\(\s*["']([^"']+)["']\s*\)/g;
  for (const pattern of [statement, dynamic])
    for (const match of source.matchAll(pattern)) if (match[1]) found.push(match[1]);
  return found;
}

/** Every file the server loads from src/main.ts on, and the packages they import. */
function walkFromMain(): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [path.join(root, "src/main.ts")];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImports(readFileSync(file, "utf8"))) {
      if (specifier.startsWith(".")) {
        pending.push(path.resolve(path.dirname(file), specifier).replace(/\.js$/, ".ts"));
        continue;
      }
      const bare = specifier.replace(/^node:/, "");
      if (builtinModules.includes(bare.split("/")[0] ?? "")) continue;
      const parts = specifier.split("/");
      packages.add(specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? specifier));
    }
  }
  return { files, packages };
}

/**
 * The container image (Dockerfile) installs `dependencies` only and runs the compiled `dist/`, which
 * leaves `src/testing` out: what the server loads must come from there.
 */
describe("what the server needs at run time", () => {
  const { files, packages } = walkFromMain();

  it("finds the server's whole module graph (the walk itself works)", () => {
    expect(files.size).toBeGreaterThan(100);
    expect(files.has(path.join(root, "src/app/create-app.ts"))).toBe(true);
    expect(files.has(path.join(root, "src/stores/dynamodb/create-dynamodb-stores.ts"))).toBe(true);
    expect(packages).toContain("fastify");
    expect(packages).toContain("@aws-sdk/client-dynamodb");
    for (const file of files) expect(existsSync(file), file).toBe(true);
  });

  it("imports only packages listed in dependencies (none from devDependencies)", () => {
    const missing = [...packages].filter((name) => !(name in packageJson.dependencies));
    expect(missing).toEqual([]);
  });

  it("loads nothing from src/testing, which the build leaves out", () => {
    const testing = [...files].filter((file) => file.includes(`${path.sep}src${path.sep}testing${path.sep}`));
    expect(testing).toEqual([]);
  });

  it("has every directory it reads next to dist/ copied into the image", () => {
    const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
    const directories = new Set<string>();
    for (const file of files)
      for (const match of readFileSync(file, "utf8").matchAll(/["']\.\.\/\.\.\/([a-z-]+)["']/g))
        if (match[1]) directories.add(match[1]);
    expect([...directories].sort()).toEqual(["knowledge", "prompts", "public"]);
    for (const directory of directories) expect(dockerfile).toMatch(new RegExp(`^COPY ${directory} `, "m"));
  });
});
