/**
 * Words that carry no meaning for search: dropped from the index and from queries, so that
 * "where is the re:Play party" needs only `re`, `play` and `party` to match.
 */
export const knowledgeStopWords: ReadonlySet<string> = new Set(
  (
    "a an and any anything are as at be been but by can could did do does for from get give had has have " +
    "here how i i'd i'm if in into is it it's its know let me my need of on or our please show so some tell " +
    "that the their them then there these they this those to us was we were what what's whats when where " +
    "where's which who will with would you your"
  ).split(" "),
);
