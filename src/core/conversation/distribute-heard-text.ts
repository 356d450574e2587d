/**
 * Splits what the caller heard (`utteranceUntilInterrupt`) over the texts of the reply's messages,
 * in order: messages heard in full keep their text; the message where the cut happened keeps the
 * heard part and every later one becomes empty. `cut[i]` is true for those (the last message is
 * always cut: the caller barged in during the reply).
 */
export function distributeHeardText(
  texts: readonly string[],
  heardText: string,
): { texts: string[]; cut: boolean[] } {
  const result = { texts: [] as string[], cut: [] as boolean[] };
  let remaining = heardText.trim();
  texts.forEach((text, index) => {
    const full = text.trim();
    const isLast = index === texts.length - 1;
    if (!isLast && full.length > 0 && remaining.length >= full.length) {
      result.texts.push(text);
      result.cut.push(false);
      remaining = remaining.slice(full.length).trimStart();
    } else {
      result.texts.push(remaining);
      result.cut.push(true);
      remaining = "";
    }
  });
  return result;
}
