/**
 * Splits what the caller heard (`utteranceUntilInterrupt`) over the texts of the reply's messages,
 * in order: messages heard in full keep their text; the message where the cut happened keeps the
 * heard part (never more than it said) and every later one becomes empty. A message that said
 * nothing (a step that only called a tool) stays empty. `cut[i]` is true for the cut message and
 * those after it (the last message is always cut: the caller barged in during the reply).
 */
export function distributeHeardText(
  texts: readonly string[],
  heardText: string,
): { texts: string[]; cut: boolean[] } {
  const result = { texts: [] as string[], cut: [] as boolean[] };
  let remaining = heardText.trim();
  let cutDone = false;
  texts.forEach((text, index) => {
    const full = text.trim();
    const isLast = index === texts.length - 1;
    if (full.length === 0) {
      // Nothing of it was spoken (a step that only called a tool): nothing to cut, nothing heard.
      result.texts.push(text);
      result.cut.push(isLast);
    } else if (!cutDone && !isLast && remaining.length >= full.length) {
      result.texts.push(text);
      result.cut.push(false);
      remaining = remaining.slice(full.length).trimStart();
    } else {
      // The caller heard at most what the message said.
      result.texts.push(cutDone ? "" : remaining.slice(0, full.length).trimEnd());
      result.cut.push(true);
      cutDone = true;
      remaining = "";
    }
  });
  return result;
}
