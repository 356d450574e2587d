import type { TurnEvent } from "../../../core/agent/turn-event.js";
import type { TurnInput } from "../../../core/conversation/conversation-session.js";
import { logKeys } from "../../../observability/log-keys.js";
import { endFrame, languageFrame, playFrame, sendDigitsFrame, textFrame } from "../relay-outbound-frames.js";
import type { RelaySession } from "../relay-session.js";
import { TextFrameWriter } from "../text-frame-writer.js";

export interface ActiveReply {
  /**
   * Aborted only through `stopReply`, which aborts `text` first: whether the reply was aborted is
   * read from `text.aborted`, not from the signal on every event. Each AbortSignal has a map of its
   * own in V8, so reading `signal.aborted` at a site that sees many calls' signals is a
   * megamorphic load that often misses (`node --log-ic`).
   */
  controller: AbortController;
  /** Set when the agent asked to end the call; sent once the reply has been streamed. */
  endHandoffData: string | undefined;
  endRequested: boolean;
  /** True once `last: true` went out. */
  closed: boolean;
  text: TextFrameWriter;
}

export const apologyText = "Sorry, I'm having trouble answering right now. Could you say that again?";

/**
 * Runs a turn and streams it: text goes out the moment the model produces it (deltas of one
 * event-loop turn share a frame, see TextFrameWriter); `last: true` closes the reply. A reply
 * still streaming is pre-empted first.
 */
export function startReply(session: RelaySession, input: TurnInput): void {
  const conversation = session.conversation;
  if (!conversation || session.state === "closed") return;
  const previous = session.reply;
  if (previous && !previous.closed) {
    stopReply(previous);
    // Close the pre-empted talk cycle so the new reply is not appended to it (a reply that sent no
    // text yet has none to close).
    previous.closed = true;
    if (previous.text.started) session.send(textFrame("", true));
  }
  const controller = session.takeAbortController();
  const reply: ActiveReply = {
    controller,
    endHandoffData: undefined,
    endRequested: false,
    closed: false,
    text: new TextFrameWriter((frame) => session.send(frame)),
  };
  session.reply = reply;
  const onEvent = (event: TurnEvent) => renderEvent(session, reply, event);
  conversation.runTurn(input, { abortSignal: reply.controller.signal, onEvent }).then(
    (outcome) => {
      if (outcome.error && !outcome.aborted) {
        session.logger.error(
          { [logKeys.turnId]: outcome.turnId, [logKeys.errorCode]: outcome.error.code, err: outcome.error },
          "relay: turn failed",
        );
        if (outcome.text.length === 0 && !reply.text.aborted) {
          session.send(textFrame(apologyText, true));
          reply.closed = true;
          conversation
            .appendAssistantText(apologyText, { kind: "error-apology", errorCode: outcome.error.code })
            .catch(() => undefined);
        }
      }
      if (!reply.closed && !reply.text.aborted) {
        reply.closed = true;
        reply.text.end();
      }
      if (reply.endRequested && !reply.text.aborted) {
        session.send(endFrame(reply.endHandoffData));
      }
      if (session.reply === reply) session.reply = undefined;
      session.prepareAbortController(reply.text.aborted ? undefined : reply.controller);
    },
    (error: unknown) => {
      session.logger.error({ err: error }, "relay: turn crashed");
      if (session.reply === reply) session.reply = undefined;
    },
  );
}

function renderEvent(session: RelaySession, reply: ActiveReply, event: TurnEvent): void {
  if (reply.text.aborted) return;
  switch (event.type) {
    case "text-delta":
      reply.text.write(event.delta);
      break;
    case "turn-end":
      if (!event.aborted && event.finishReason !== "error") {
        reply.closed = true;
        reply.text.end();
      }
      break;
    case "channel-action": {
      reply.text.flush();
      const action = event.action;
      if (action.kind === "send-digits") session.send(sendDigitsFrame(action.digits));
      else if (action.kind === "play") session.send(playFrame(action.source, action.loop));
      else if (action.kind === "switch-language") session.send(languageFrame(action.language));
      else if (action.kind === "end-session") {
        reply.endRequested = true;
        reply.endHandoffData = action.handoffData;
      }
      break;
    }
    default:
      break;
  }
}

/** Stops the reply in flight (barge-in, hang-up); what was generated so far is kept as interrupted. */
export function abortReply(session: RelaySession): void {
  const reply = session.reply;
  if (!reply) return;
  stopReply(reply);
  session.reply = undefined;
}

/** Aborts the reply's turn; its text first, as listeners of the abort may emit events. */
function stopReply(reply: ActiveReply): void {
  reply.text.abort();
  reply.controller.abort();
}
