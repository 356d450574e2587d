import { type Logger, pino } from "pino";
import { contentKeys, secretKeys } from "./log-keys.js";

export type { Logger };

export interface LoggerOptions {
  level: string;
  logCustomerContent: boolean;
  /** Where to write; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

/** Redaction paths for keys at the top level and one level deep (e.g. `req.headers.authorization`). */
function redactionPaths(keys: readonly string[]): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const accessor = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) =>
      accessor.startsWith("[") ? `${prefix}${accessor}` : `${prefix}.${accessor}`;
    paths.push(accessor.startsWith("[") ? accessor : key, join("*"), join("*.*"));
  }
  return paths;
}

export function createLogger(options: LoggerOptions): Logger {
  const keys = options.logCustomerContent ? secretKeys : [...secretKeys, ...contentKeys];
  return pino(
    {
      level: options.level,
      base: { service: "switchboard" },
      redact: { paths: redactionPaths(keys), censor: "[redacted]" },
    },
    options.destination ?? process.stdout,
  );
}
