/**
 * Entry point: `npm start`. Loads the configuration, wires the app and listens. On the embedded
 * defaults (SQLite, the offline model) it needs no account, key or network.
 */

import { checkTwilioNumber } from "./app/check-twilio-number.js";
import { createApp, type SwitchboardApp } from "./app/create-app.js";
import { printStartupBanner } from "./app/print-startup-banner.js";
import { loadConfig } from "./config/config.js";
import { ConfigError } from "./errors/config-error.js";

async function main(): Promise<void> {
  let app: SwitchboardApp;
  try {
    const config = loadConfig();
    app = await createApp(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Switchboard cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  try {
    await app.server.listen({ port: app.config.port, host: app.config.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EADDRINUSE" && code !== "EACCES") throw error;
    const where = `${app.config.host}:${app.config.port}`;
    process.stderr.write(
      code === "EADDRINUSE"
        ? `Switchboard cannot start: ${where} is already in use (another Switchboard, or another server). Stop it, or set PORT to a free port.\n`
        : `Switchboard cannot start: no permission to listen on ${where}. Set PORT to a port above 1023.\n`,
    );
    // Exit 1 even if closing leaves nothing to wait for (the loop may drain before it resolves).
    process.exitCode = 1;
    await app.close().catch(() => undefined);
    process.exit(1);
  }
  // A generated token is printed to a terminal, never into a log (a container's output).
  printStartupBanner(app, { showSecrets: process.stdout.isTTY === true });
  // In the background: a warning when the Twilio number does not point here.
  void checkTwilioNumber(app.config, app.logger);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, "shutting down");
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Switchboard failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
