import readline from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import type { CallOptions } from "./call-options.js";
import { CallTranscript } from "./call-transcript.js";
import { messageOf, type TerminalIo } from "./cli-command.js";
import { describeRelayMessage } from "./describe-relay-message.js";
import { type PlacedCall, placeCall } from "./place-call.js";

type CallEnd =
  | { kind: "hangup" }
  | { kind: "agent-end"; handoffData: string | undefined }
  | { kind: "closed" };

const replyTimeoutMs = 60_000;
const lingerBeforeHangupMs = 250;
const commandHelp =
  "Commands: /interrupt [heard text]  /dtmf <digits>  /hangup  /help  (anything else is spoken)";

/** Places one call to the server the way Twilio would, with the terminal as the caller; returns the exit code. */
export async function runTerminalCall(options: CallOptions, io: TerminalIo): Promise<number> {
  io.output.write(`Calling ${options.serverUrl} from ${options.from} to ${options.to}\n`);
  let call: PlacedCall;
  try {
    call = await placeCall(options);
  } catch (error) {
    io.output.write(`${messageOf(error)}\n`);
    return 1;
  }
  const { client } = call;
  const startedAt = Date.now();
  const lines = readline.createInterface({
    input: io.input,
    output: io.interactive ? io.output : undefined,
    terminal: io.interactive,
    prompt: "you> ",
  });
  const transcript = new CallTranscript(io.output, io.interactive ? lines : undefined);
  transcript.print(`Connected: call ${call.callParams.CallSid}, session ${client.setup?.sessionId}`);
  if (call.relay.welcomeGreeting) transcript.print(`agent> ${call.relay.welcomeGreeting}`);

  let ending: Promise<number> | undefined;
  let exitCode = 0;
  const finish = (end: CallEnd): Promise<number> => {
    ending ??= (async () => {
      transcript.stopPrompts();
      lines.close();
      await client.close();
      const params = {
        ...call.callParams,
        SessionId: client.setup?.sessionId ?? "",
        SessionDuration: String(Math.round((Date.now() - startedAt) / 1000)),
        ...sessionEndParams(end),
      };
      try {
        const { status, body } = await call.post("/twilio/voice/ended", params);
        transcript.print(`[POST /twilio/voice/ended answered ${status}] ${body}`);
        return status >= 200 && status < 300 ? exitCode : 1;
      } catch (error) {
        transcript.print(`[POST /twilio/voice/ended failed: ${messageOf(error)}]`);
        return 1;
      }
    })();
    return ending;
  };

  client.onMessage((message) => {
    if (message.type === "text") {
      transcript.token(message.token, message.last === true);
      if (message.last === true) transcript.showPrompt();
      return;
    }
    transcript.print(describeRelayMessage(message));
    if (message.type === "end") void finish({ kind: "agent-end", handoffData: message.handoffData });
    else if (!transcript.isStreaming) transcript.showPrompt();
  });
  void client.closed.then((close) => {
    if (ending) return;
    transcript.print(`[connection closed by the server (code ${close.code})]`);
    void finish({ kind: "closed" });
  });

  /** Handles one input line; false ends the call. */
  const handleLine = async (line: string): Promise<boolean> => {
    if (line === "") return true;
    if (!io.interactive) transcript.print(`you> ${line}`);
    const [command = "", ...rest] = line.split(/\s+/);
    const argument = rest.join(" ");
    if (command === "/hangup") return false;
    if (command === "/help") transcript.print(commandHelp);
    else if (command === "/dtmf") {
      if (/^[0-9*#]+$/.test(argument)) for (const digit of argument) client.sendDtmf(digit);
      else transcript.print("Usage: /dtmf <digits>, e.g. /dtmf 123#");
    } else if (command === "/interrupt") {
      const heard = argument || transcript.heardSoFar();
      client.sendInterrupt(heard);
      transcript.replyTokens = [];
      transcript.print(`[interrupted; the caller heard ${JSON.stringify(heard)}]`);
    } else if (command.startsWith("/")) transcript.print(`Unknown command ${command}. ${commandHelp}`);
    else {
      client.sendPrompt(line);
      if (io.interactive) return true;
      try {
        await client.nextReply({ timeoutMs: replyTimeoutMs });
      } catch (error) {
        if (ending || !client.isOpen) return false;
        transcript.print(`[no reply: ${messageOf(error)}]`);
        exitCode = 1;
        return false;
      }
    }
    return true;
  };

  lines.on("SIGINT", () => lines.close());
  if (io.interactive) transcript.print(commandHelp);
  transcript.showPrompt();
  for await (const line of lines) {
    transcript.lineEntered();
    if (ending || !client.isOpen || !(await handleLine(line.trim()))) break;
    if (!transcript.isStreaming) transcript.showPrompt();
  }
  // A piped caller stays on the line a moment after the last reply, so that an agent's `end`
  // right after it is seen (and reported) instead of being raced by the hang-up.
  if (!io.interactive && !ending) await Promise.race([client.closed, delay(lingerBeforeHangupMs)]);
  return finish({ kind: "hangup" });
}

/** How the `<Connect action>` callback describes the end of the session (wire-formats 1.3). */
function sessionEndParams(end: CallEnd): Record<string, string> {
  if (end.kind === "hangup") return { SessionStatus: "completed", CallStatus: "completed" };
  if (end.kind === "closed")
    return { SessionStatus: "failed", CallStatus: "in-progress", ErrorCode: "64105" };
  const params: Record<string, string> = { SessionStatus: "ended", CallStatus: "in-progress" };
  if (end.handoffData !== undefined) params.HandoffData = end.handoffData;
  return params;
}
