import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadCsvRecords } from "../../src/knowledge/load-csv-records.js";
import { loadJsonRecords } from "../../src/knowledge/load-json-records.js";
import { loadKnowledgeDirectory } from "../../src/knowledge/load-knowledge-directory.js";
import { loadMarkdownRecords } from "../../src/knowledge/load-markdown-records.js";
import { loadTextRecords } from "../../src/knowledge/load-text-records.js";
import { createRecordingLogger, makeTemporaryDirectory } from "./knowledge-test-helpers.js";

describe("markdown loader", () => {
  const content = [
    "---",
    "kind: venue",
    "title: Venues",
    "---",
    "# Venues",
    "Six resorts.",
    "## Wynn",
    "- **Venue:** Wynn",
    "- **Shuttle stop:** Sands Avenue",
    "Rooms are in the **convention** area. See [the map](https://example.com).",
    "```",
    "# not a heading",
    "```",
    "### Parking",
    "Valet only.",
    "## Wynn",
    "Second section with the same heading.",
  ].join("\n");

  it("splits by headings with the heading path as title and front matter kind", () => {
    const records = loadMarkdownRecords({ name: "places.md", content });
    expect(records.map((record) => record.id)).toEqual([
      "doc:places.md#venues",
      "doc:places.md#wynn",
      "doc:places.md#parking",
      "doc:places.md#wynn-2",
    ]);
    expect(records.map((record) => record.title)).toEqual([
      "Venues",
      "Venues > Wynn",
      "Venues > Wynn > Parking",
      "Venues > Wynn",
    ]);
    expect(records.every((record) => record.kind === "venue" && record.source === "places.md")).toBe(true);
  });

  it("turns `- **Key:** value` bullets into fields and strips markdown from the text", () => {
    const wynn = loadMarkdownRecords({ name: "places.md", content })[1];
    expect(wynn?.fields).toEqual({ venue: "Wynn", shuttleStop: "Sands Avenue" });
    expect(wynn?.text).toContain("Rooms are in the convention area. See the map.");
    expect(wynn?.text).toContain("# not a heading");
  });

  it("takes the kind from the file name without front matter", () => {
    const [record] = loadMarkdownRecords({ name: "events.md", content: "## Party\nMusic." });
    expect(record?.kind).toBe("event");
    expect(record?.id).toBe("doc:events.md#party");
  });
});

describe("text loader", () => {
  it("makes one record per paragraph", () => {
    const records = loadTextRecords({
      name: "notes.txt",
      content: "Parking\nValet at every venue.\n\nShuttles run every 15 minutes.\n",
    });
    expect(records.map(({ id, title, text }) => ({ id, title, text }))).toEqual([
      { id: "doc:notes.txt#p1", title: "Parking", text: "Parking Valet at every venue." },
      { id: "doc:notes.txt#p2", title: "notes (part 2)", text: "Shuttles run every 15 minutes." },
    ]);
  });
});

describe("JSON loader", () => {
  it("reads { records } with session ids, primitive fields and readable text", () => {
    const records = loadJsonRecords({
      name: "sessions.json",
      content: JSON.stringify({
        note: "sample",
        records: [
          {
            id: "AIM312",
            title: "Fine-tuning",
            speakers: ["Priya Raman", "Daniel Okafor"],
            day: "Thursday",
            startTime: "10:00",
            endTime: "11:00",
            venue: "Mandalay Bay",
            level: 300,
            nested: { ignored: true },
          },
        ],
      }),
    });
    expect(records).toHaveLength(1);
    const [session] = records;
    expect(session?.id).toBe("session:AIM312");
    expect(session?.kind).toBe("session");
    expect(session?.fields).toEqual({
      id: "AIM312",
      title: "Fine-tuning",
      speakers: "Priya Raman, Daniel Okafor",
      day: "Thursday",
      startTime: "10:00",
      endTime: "11:00",
      venue: "Mandalay Bay",
      level: 300,
    });
    expect(session?.text).toContain("AIM312: Fine-tuning.");
    expect(session?.text).toContain("Speakers: Priya Raman, Daniel Okafor.");
    expect(session?.text).toContain("Thursday, 10:00–11:00 at Mandalay Bay.");
  });

  it("reads a plain array; records without day/startTime are <kind>:<id>, without id <kind>:<file>#n", () => {
    const records = loadJsonRecords({
      name: "speakers.json",
      content: JSON.stringify([{ id: "p1", name: "Priya Raman" }, { name: "No Id" }, "not an object"]),
    });
    expect(records.map((record) => [record.id, record.kind, record.title])).toEqual([
      ["speaker:p1", "speaker", "Priya Raman"],
      ["speaker:speakers.json#2", "speaker", "No Id"],
    ]);
  });

  it("throws on malformed JSON", () => {
    expect(() => loadJsonRecords({ name: "broken.json", content: "{ not json" })).toThrow();
  });
});

describe("CSV loader", () => {
  it("turns question/answer rows into FAQ records, with quoted commas, quotes and newlines", () => {
    const records = loadCsvRecords({
      name: "faq.csv",
      content:
        '# sample\nquestion,answer\n"Dress code?","Casual, ""comfortable"" shoes"\nWi-Fi?,"Yes.\nJoin Conference-WiFi."\n',
    });
    expect(records.map(({ id, kind, title, text }) => ({ id, kind, title, text }))).toEqual([
      {
        id: "faq:faq.csv#1",
        kind: "faq",
        title: "Dress code?",
        text: 'Dress code?\nCasual, "comfortable" shoes',
      },
      { id: "faq:faq.csv#2", kind: "faq", title: "Wi-Fi?", text: "Wi-Fi?\nYes.\nJoin Conference-WiFi." },
    ]);
  });

  it("turns other CSV files into records named after the file", () => {
    const records = loadCsvRecords({
      name: "rooms.csv",
      content: "id,name,venue\nLK,Lagoon K,Mandalay Bay\n",
    });
    expect(records[0]?.id).toBe("room:LK");
    expect(records[0]?.fields).toEqual({ id: "LK", name: "Lagoon K", venue: "Mandalay Bay" });
  });
});

describe("directory loader", () => {
  let remove: (() => Promise<void>) | undefined;
  afterEach(async () => remove?.());

  it("loads every known file type, skips malformed JSON and unknown types with a warning", async () => {
    const directory = await makeTemporaryDirectory();
    remove = directory.remove;
    await writeFile(join(directory.path, "a.md"), "# A\nAlpha.");
    await writeFile(join(directory.path, "b.txt"), "Bravo.");
    await writeFile(join(directory.path, "c.json"), '[{"id":"c1","title":"Charlie"}]');
    await writeFile(join(directory.path, "d.csv"), "question,answer\nDelta?,Yes.");
    await writeFile(join(directory.path, "broken.json"), '{"records": [');
    await writeFile(join(directory.path, "image.png"), "not really an image");
    const logger = createRecordingLogger();

    const records = await loadKnowledgeDirectory(directory.path, logger);

    expect(records.map((record) => record.id)).toEqual(["doc:a.md#a", "doc:b.txt#p1", "c:c1", "faq:d.csv#1"]);
    const warned = logger.warnings.map(([detail]) => (detail as { path: string }).path);
    expect(warned).toEqual([join(directory.path, "broken.json"), join(directory.path, "image.png")]);
  });
});
