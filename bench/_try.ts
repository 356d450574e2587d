import { installCleanupHandlers } from "./bench-util.js";
import { runVoiceLevel } from "./voice-scenario.js";
installCleanupHandlers();
const kind = (process.argv[2] ?? "switchboard") as "switchboard" | "floor";
const mode = (process.argv[3] ?? "turns") as "turns" | "interrupt";
const t = Date.now();
const result = await runVoiceLevel(
  { kind, model: mode === "interrupt" ? "stream200" : kind === "floor" ? "single" : "tokens20" },
  { calls: 50, mode, durationMs: 10_000, thinkMs: 5000, turnTimeoutMs: 10_000 },
);
console.log(JSON.stringify(result, null, 1), Date.now() - t);
