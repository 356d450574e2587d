/**
 * `createFakeOpenAiServer` (src/testing) in its own process, streaming the 20-token reply, so the
 * server's CPU never counts in the client process being measured. Prints `BENCH_READY {"url":…}`.
 */
import { createFakeOpenAiServer } from "../src/testing/create-fake-openai-server.js";
import { exitWhenParentGoes, report, twentyTokens } from "./bench-util.js";

const server = await createFakeOpenAiServer({ tokens: twentyTokens }, { recordRequests: false });
exitWhenParentGoes(() => server.close());
report("BENCH_READY ", { url: server.url, pid: process.pid });
