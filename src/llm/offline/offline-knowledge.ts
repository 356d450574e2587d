import type { KnowledgeResult, OfflinePrompt } from "./offline-prompt.js";

const stopWords = new Set(
  "a an and are at be can do does for from how i in is it me my of on or please tell the there this to what when where which who will with you about any".split(
    " ",
  ),
);

/** The content words of a question ("When is the re:Play party?" → ["re:play", "party"]). */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}:'-]+/gu) ?? []).filter(
    (word) => word.length > 2 && !stopWords.has(word),
  );
}

/** A result counts only if it shares a content word with the question: never answer from noise. */
function relevant(result: KnowledgeResult, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const haystack =
    `${result.title} ${Object.values(result.fields).join(" ")} ${result.snippet}`.toLowerCase();
  return words.some(
    (word) => haystack.includes(word) || (word.endsWith("s") && haystack.includes(word.slice(0, -1))),
  );
}

const clock = (value: string | number | undefined) => {
  const text = String(value ?? "");
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) return text;
  const hours = Number(match[1]);
  if (hours === 24 || hours === 0) return "midnight";
  const suffix = hours >= 12 ? "PM" : "AM";
  const twelve = hours % 12 === 0 ? 12 : hours % 12;
  return match[2] === "00" ? `${twelve} ${suffix}` : `${twelve}:${match[2]} ${suffix}`;
};

/** "AIM312, Fine-tuning …, is on Thursday from 10 AM to 11 AM at Mandalay Bay, room Lagoon K, with …" */
export function describeSession(result: KnowledgeResult): string {
  const f = result.fields;
  const code = f.id ? `${f.id}, ` : "";
  const room = f.room ? `, room ${f.room}` : "";
  const speakers = f.speakers ? `, with ${String(f.speakers).replace(/, ([^,]+)$/, " and $1")}` : "";
  return `${code}${result.title}, is on ${f.day} from ${clock(f.startTime)} to ${clock(f.endTime)} at ${f.venue}${room}${speakers}.`;
}

function describeOther(result: KnowledgeResult): string {
  const f = result.fields;
  if (result.kind === "faq" && f.answer) return String(f.answer);
  const title = result.title.replace(/^.*> /, "");
  if (f.day && (f.time || f.startTime)) {
    const when = f.time ? String(f.time) : `${clock(f.startTime)} to ${clock(f.endTime)}`;
    const place = f.place ? ` at ${f.place}` : f.venue ? ` at ${f.venue}` : "";
    // A sentence that repeats any part of the place ("311 West Sahara Avenue") adds nothing.
    const placeParts = String(f.place ?? "")
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part.length > 8);
    const detail = result.snippet
      .replace(/^…/, "")
      .split(/(?<=\.)\s/)
      .find((sentence) => sentence.length > 40 && !placeParts.some((part) => sentence.includes(part)));
    return `${title}: ${f.day}, ${when}${place}.${detail ? ` ${detail.replace(/…$/, "").trim()}` : ""}`;
  }
  return `${title}: ${wholeSentences(result.snippet.replace(/^…|…$/g, "").trim())}`;
}

/** An excerpt without the sentence it was cut in ("… shuttle bays. The"), when a whole one is left. */
function wholeSentences(excerpt: string): string {
  const end = Math.max(excerpt.lastIndexOf(". "), excerpt.lastIndexOf("? "), excerpt.lastIndexOf("! "));
  return end > 40 ? excerpt.slice(0, end + 1) : excerpt;
}

/**
 * Answers a knowledge question from `search_knowledge` results only: one session in detail, a list
 * of sessions for "which sessions…", an event or FAQ answer — or says it found nothing.
 */
export function answerFromKnowledge(
  prompt: OfflinePrompt,
  results: readonly KnowledgeResult[],
  question: string,
): string {
  const words = contentWords(question).filter(
    (word) => !["session", "sessions", "talk", "talks"].includes(word),
  );
  const hits = results.filter((result) => relevant(result, words));
  if (hits.length === 0) {
    return "I couldn't find that in the conference information I have, so I won't guess.";
  }
  const sessions = hits.filter((hit) => hit.kind === "session");
  const wantsList =
    /\b(which|what|list|any)\b.*\bsessions?\b|\bsessions\b/i.test(question) && sessions.length > 1;
  if (wantsList) {
    const shown = sessions.slice(0, prompt.voice ? 3 : 5);
    const items = shown.map((session) =>
      prompt.voice
        ? `${session.fields.id}, ${session.title}, at ${clock(session.fields.startTime)}`
        : `${session.fields.id} ${session.title} (${session.fields.day} ${session.fields.startTime}–${session.fields.endTime}, ${session.fields.venue}, ${session.fields.room})`,
    );
    // A full page of results may not be all of them: say so, and how to narrow them down.
    const mayBeMore = sessions.length === results.length && results.length >= 5;
    const intro = mayBeMore
      ? `Here are ${shown.length} matching sessions; there may be more, so name a day, a venue or a time to narrow them down.`
      : shown.length < sessions.length
        ? `I found ${sessions.length} matching sessions; here are ${shown.length}.`
        : `I found ${sessions.length} matching sessions.`;
    return prompt.voice
      ? `${intro} ${items.join("; ")}.`
      : `${intro}\n${items.map((item) => `- ${item}`).join("\n")}`;
  }
  const top = hits[0] as KnowledgeResult;
  return top.kind === "session" ? describeSession(top) : describeOther(top);
}

/** A follow-up about "it" (who speaks, where, when) answered from the latest session found earlier. */
export function answerFollowUp(prompt: OfflinePrompt, question: string): string | undefined {
  if (!/\b(it|that|this|the session)\b/i.test(question)) return undefined;
  // "It" is the session the assistant last talked about, not merely the last one searched.
  const allSessions = prompt.knowledgeResults.flat().filter((result) => result.kind === "session");
  const mentioned = [...prompt.assistantTexts]
    .reverse()
    .map((text) => /\b[A-Z]{3}\d{3}\b/.exec(text)?.[0])
    .find((id) => id !== undefined);
  // Else the best session of the latest search that found one (results come best first).
  const latest =
    allSessions.find((result) => mentioned !== undefined && result.fields.id === mentioned) ??
    prompt.knowledgeResults
      .map((results) => results.find((result) => result.kind === "session"))
      .findLast((result) => result !== undefined);
  if (!latest) return undefined;
  const f = latest.fields;
  if (/\bwho\b|speak|present/i.test(question))
    return `${String(f.speakers ?? "No speaker is listed").replace(/, ([^,]+)$/, " and $1")} ${String(f.speakers ?? "").includes(",") ? "are" : "is"} presenting ${f.id}.`;
  if (/\bwhere\b|room|venue/i.test(question)) return `${f.id} is at ${f.venue}, room ${f.room}.`;
  if (/\bwhen\b|time|what day/i.test(question))
    return `${f.id} is on ${f.day} from ${clock(f.startTime)} to ${clock(f.endTime)}.`;
  return undefined;
}
