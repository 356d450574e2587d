/** Weekday names in calendar order (Monday first), as they appear in session records. */
export const weekdays = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;

/** Position of a weekday name (case-insensitive) in the week; unknown values sort last. */
export function weekdayRank(day: unknown): number {
  if (typeof day !== "string") return weekdays.length;
  const index = weekdays.findIndex((name) => name.toLowerCase() === day.trim().toLowerCase());
  return index === -1 ? weekdays.length : index;
}
