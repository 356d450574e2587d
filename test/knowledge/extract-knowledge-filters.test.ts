import { describe, expect, it } from "vitest";
import { extractKnowledgeFilters } from "../../src/knowledge/extract-knowledge-filters.js";

const known = {
  venues: ["Caesars Forum", "Encore", "MGM Grand", "Mandalay Bay", "Venetian", "Wynn"],
  tracks: [
    "AI/ML",
    "Analytics",
    "Compute",
    "Databases",
    "DevOps",
    "Networking",
    "Security",
    "Serverless",
    "Storage",
  ],
};

describe("extractKnowledgeFilters", () => {
  it.each([
    [
      "What SageMaker sessions are at Mandalay Bay on Thursday afternoon?",
      "SageMaker",
      {
        kind: "session",
        venue: "Mandalay Bay",
        day: "Thursday",
        startsAfter: "12:00",
        startsBefore: "16:59",
      },
    ],
    [
      "anything on serverless after 3 pm on tuesday",
      "",
      { track: "Serverless", day: "Tuesday", startsAfter: "15:00" },
    ],
    [
      "database talks at Mandalay thursday morning",
      "",
      { kind: "session", track: "Databases", venue: "Mandalay Bay", day: "Thursday", startsBefore: "11:59" },
    ],
    [
      "machine learning sessions between 1 and 3 pm Wednesday",
      "",
      { kind: "session", track: "AI/ML", day: "Wednesday", startsAfter: "13:00", startsBefore: "15:00" },
    ],
    [
      "level 400 security talks at 10:00 on Fri",
      "",
      {
        kind: "session",
        level: "400",
        track: "Security",
        day: "Friday",
        startsAfter: "10:00",
        startsBefore: "10:00",
      },
    ],
    ["what's on at the MGM tonight", "", { venue: "MGM Grand", startsAfter: "17:00" }],
    ["Is there wifi at the Venetian?", "wifi", { venue: "Venetian" }],
    ["Where is the re:Play party?", "re:Play party", {}],
    ["sessions by Priya Raman before 9:30am", "Priya Raman", { kind: "session", startsBefore: "09:30" }],
    ["event-driven architectures", "event-driven architectures", {}],
  ])("%s", (text, query, filters) => {
    const extracted = extractKnowledgeFilters(text, known);
    expect(extracted.query).toBe(query);
    expect(extracted.filters).toEqual(filters);
  });

  it("pulls out session ids and keeps them in the query", () => {
    expect(extractKnowledgeFilters("When is AIM312, and is aim-308 on the same day?", known)).toEqual({
      query: "AIM312 AIM308 same day",
      filters: {},
      sessionIds: ["AIM312", "AIM308"],
    });
  });

  it("only knows the venues and tracks it is given", () => {
    expect(extractKnowledgeFilters("security at the Wynn", { venues: [], tracks: [] })).toEqual({
      query: "security Wynn",
      filters: {},
      sessionIds: [],
    });
  });
});
