#!/usr/bin/env node
// Layer rules (docs/architecture.md): dependencies point inward. Reads every source file under
// src/, finds its imports with regular expressions, and reports each import that crosses a rule.
// Prints `file: imports X (rule)` per violation and exits 1, or `boundaries ok (N files)`.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sourceExtensions = /\.(?:ts|tsx|mts|cts|js|mjs|cjs)$/;

/** Packages that core/ and ports/ may import (plus `node:*` built-ins). */
const corePackages = new Set(["zod", "@ai-sdk/provider"]);
/** Folders under src/ that core/ and ports/ may import. */
const coreFolders = new Set(["core", "ports", "errors"]);
/** The only files that may read `process.env`. */
const environmentReaders = [/^src\/config\/config\.ts$/, /^src\/cli\//];

const importPatterns = [
  // import x from "…", import { a, b } from "…", import type { T } from "…" (across lines)
  /\bimport\s+(?:type\s+)?[\w*{}\s,$]*?\bfrom\s*["']([^"']+)["']/g,
  // import "…" (side effects)
  /\bimport\s*["']([^"']+)["']/g,
  // import("…")
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  // export * from "…", export { a } from "…", export type { T } from "…", export * as n from "…"
  /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*["']([^"']+)["']/g,
];

function listSourceFiles(directory) {
  const files = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...listSourceFiles(full));
    else if (sourceExtensions.test(entry.name) && !entry.name.endsWith(".d.ts")) files.push(full);
  }
  return files;
}

/**
 * Blanks out comments (keeping strings, regular expression literals and line breaks) so that
 * commented-out code and prose do not count. Quoted strings end at a line break at the latest.
 */
function stripComments(source) {
  let result = "";
  let index = 0;
  let previousSignificant = "";
  while (index < source.length) {
    const character = source[index];
    const next = source[index + 1];
    let stop = index + 1;
    if (character === "/" && next === "/") {
      while (stop < source.length && source[stop] !== "\n") stop++;
      index = stop;
      continue;
    }
    if (character === "/" && next === "*") {
      const end = source.indexOf("*/", index + 2);
      stop = end < 0 ? source.length : end + 2;
      result += source.slice(index, stop).replace(/[^\n]/g, " ");
      index = stop;
      continue;
    }
    if (character === '"' || character === "'" || character === "`") {
      while (
        stop < source.length &&
        source[stop] !== character &&
        (character === "`" || source[stop] !== "\n")
      ) {
        stop += source[stop] === "\\" ? 2 : 1;
      }
      stop++;
    } else if (
      character === "/" &&
      (previousSignificant === "" || "(,=:[!&|?{};+-*%<>~^".includes(previousSignificant))
    ) {
      // A regular expression literal: skip to its closing slash (outside a character class).
      let inClass = false;
      while (stop < source.length && source[stop] !== "\n" && (inClass || source[stop] !== "/")) {
        if (source[stop] === "[") inClass = true;
        else if (source[stop] === "]") inClass = false;
        stop += source[stop] === "\\" ? 2 : 1;
      }
      stop++;
    }
    result += source.slice(index, stop);
    if (!/\s/.test(character)) previousSignificant = stop - index > 1 ? "x" : character;
    index = stop;
  }
  return result;
}

/** Import specifiers in source order. */
function importsOf(code) {
  const found = [];
  for (const pattern of importPatterns) {
    for (const match of code.matchAll(pattern)) found.push({ at: match.index, specifier: match[1] });
  }
  return found.sort((left, right) => left.at - right.at).map((entry) => entry.specifier);
}

/** `{ folder }` for an import inside src/ (e.g. "core"), `{ packageName }` for a package. */
function classify(specifier, fromFile) {
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const target = path
      .relative(root, path.resolve(path.dirname(fromFile), specifier))
      .split(path.sep)
      .join("/");
    const [top, folder] = target.split("/");
    return { folder: top === "src" ? folder : `../${top}` };
  }
  if (specifier.startsWith("node:")) return { builtin: true };
  const parts = specifier.split("/");
  return { packageName: specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0] };
}

function violationsOf(relativeFile, code) {
  const [, layer] = relativeFile.split("/");
  const violations = [];
  for (const specifier of importsOf(code)) {
    const target = classify(specifier, path.join(root, relativeFile));
    if (layer === "core" || layer === "ports") {
      const allowed =
        target.builtin ||
        (target.folder !== undefined ? coreFolders.has(target.folder) : corePackages.has(target.packageName));
      if (!allowed) {
        violations.push(
          `${relativeFile}: imports ${specifier} (${layer}/ may import only core/, ports/, errors/, zod, @ai-sdk/provider and node: built-ins)`,
        );
      }
    }
    if (layer === "channels" && (target.folder === "stores" || target.folder === "llm")) {
      violations.push(
        `${relativeFile}: imports ${specifier} (channels/ must not import ${target.folder}/ implementations)`,
      );
    }
    if (target.folder === "testing" && !["testing", "cli", "app", "core", "ports"].includes(layer)) {
      violations.push(
        `${relativeFile}: imports ${specifier} (only testing/, cli/ and app/ may import testing/ fakes)`,
      );
    }
  }
  if (
    /\bprocess\s*\.\s*env\b/.test(code) &&
    !environmentReaders.some((pattern) => pattern.test(relativeFile))
  ) {
    violations.push(
      `${relativeFile}: reads process.env (only src/config/config.ts and src/cli/ read the environment)`,
    );
  }
  return violations;
}

const files = listSourceFiles(path.join(root, "src"));
const violations = files.flatMap((file) => {
  const relativeFile = path.relative(root, file).split(path.sep).join("/");
  return violationsOf(relativeFile, stripComments(readFileSync(file, "utf8")));
});
for (const violation of violations) console.log(violation);
if (violations.length > 0) {
  console.log(
    `${violations.length} boundary violation${violations.length === 1 ? "" : "s"} in ${files.length} files`,
  );
  process.exit(1);
}
console.log(`boundaries ok (${files.length} files)`);
