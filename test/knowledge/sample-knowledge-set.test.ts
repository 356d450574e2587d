import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadKnowledgeDirectory } from "../../src/knowledge/load-knowledge-directory.js";
import { createRecordingLogger, sampleKnowledgeDirectory } from "./knowledge-test-helpers.js";

const venues = ["Venetian", "Wynn", "Encore", "Caesars Forum", "MGM Grand", "Mandalay Bay"];
const days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

describe("bundled sample knowledge set", () => {
  it("loads without warnings and has at least 150 well-formed sessions", async () => {
    const logger = createRecordingLogger();
    const records = await loadKnowledgeDirectory(sampleKnowledgeDirectory, logger);
    expect(logger.warnings).toEqual([]);
    const sessions = records.filter((record) => record.kind === "session");
    expect(sessions.length).toBeGreaterThanOrEqual(150);
    expect(new Set(sessions.map((session) => session.id)).size).toBe(sessions.length);
    for (const { id, fields } of sessions) {
      expect(id).toMatch(/^session:[A-Z]{3}\d{3}$/);
      expect(days).toContain(fields.day);
      expect(venues).toContain(fields.venue);
      expect(fields.startTime).toMatch(/^\d{2}:\d{2}$/);
      expect(String(fields.endTime) > String(fields.startTime)).toBe(true);
      expect([100, 200, 300, 400]).toContain(fields.level);
      expect(String(fields.speakers).length).toBeGreaterThan(0);
      expect(String(fields.abstract).split(". ").length).toBeGreaterThanOrEqual(2);
    }
    const thursdayAtMandalay = sessions.filter(
      ({ fields }) => fields.day === "Thursday" && fields.venue === "Mandalay Bay",
    );
    expect(thursdayAtMandalay.length).toBeGreaterThanOrEqual(5);
  });

  it("has the re:Play closing party on Thursday night", async () => {
    const records = await loadKnowledgeDirectory(sampleKnowledgeDirectory, createRecordingLogger());
    const party = records.find((record) => record.id === "doc:events.md#replay-closing-party");
    expect(party).toMatchObject({
      kind: "event",
      fields: { day: "Thursday", startTime: "19:00", time: "7:00 PM – midnight" },
    });
    expect(party?.text).toContain("Las Vegas Festival Grounds");
    expect(party?.text).toMatch(/live music/);
    expect(party?.text).toMatch(/food trucks/);
    expect(
      records.filter((record) => record.kind === "event" && record.fields.day).length,
    ).toBeGreaterThanOrEqual(5);
  });

  it("is labelled as sample data in the README and in every file", async () => {
    for (const file of ["README.md", "sessions.json", "venues.md", "events.md", "faq.md", "faq.csv"]) {
      const content = await readFile(join(sampleKnowledgeDirectory, file), "utf8");
      expect(content.toLowerCase(), file).toContain(
        "sample data written for the switchboard demo, not an official agenda",
      );
    }
  });
});
