import type {
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3ToolResultOutput,
} from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { createOfflineModel } from "../../src/llm/offline/create-offline-model.js";
import { deltasOf, streamCall, textOf, toolCallsOf } from "./read-stream.js";

const tool = (name: string): LanguageModelV3FunctionTool => ({
  type: "function",
  name,
  inputSchema: { type: "object", properties: {} },
});
const voiceTools = [tool("send_digits"), tool("end_call"), tool("transfer_to_human")];

const system = (channel: string): LanguageModelV3Message => ({
  role: "system",
  content: `You are Switchboard.\n\nChannel: ${channel}`,
});
const user = (text: string): LanguageModelV3Message => ({ role: "user", content: [{ type: "text", text }] });
const assistant = (text: string): LanguageModelV3Message => ({
  role: "assistant",
  content: [{ type: "text", text }],
});

const model = createOfflineModel();

/** Streams one reply; `history` is user, assistant, user… texts (the last is the new message). */
async function reply(
  history: string[],
  options: { channel?: string; tools?: LanguageModelV3FunctionTool[] } = {},
): Promise<{ text: string; toolCalls: Array<{ toolName: string; input: unknown }> }> {
  const prompt: LanguageModelV3Prompt = [
    ...(options.channel ? [system(options.channel)] : []),
    ...history.map((text, index) => (index % 2 === 0 ? user(text) : assistant(text))),
  ];
  const parts = await streamCall(model, { prompt, tools: options.tools });
  return { text: textOf(parts), toolCalls: toolCallsOf(parts) };
}

async function say(text: string, options: { channel?: string; tools?: LanguageModelV3FunctionTool[] } = {}) {
  return reply([text], options);
}

/** The call's tool result, answered by the model. */
async function afterTool(
  toolName: string,
  output: LanguageModelV3ToolResultOutput,
  input: unknown = {},
  channel = "voice",
): Promise<string> {
  const prompt: LanguageModelV3Prompt = [
    system(channel),
    user("Please do it"),
    { role: "assistant", content: [{ type: "tool-call", toolCallId: "call_1", toolName, input }] },
    { role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", toolName, output }] },
  ];
  const parts = await streamCall(model, { prompt, tools: voiceTools });
  expect(toolCallsOf(parts)).toEqual([]);
  return textOf(parts);
}

const menuWithPerson = "Press 1 to hear what I can do, 2 to leave a message, or 0 to reach a person.";
const simpleRules = "I'm Switchboard's offline stand-in model, so I follow simple rules.";
const notice = "I'm Switchboard's offline stand-in model, so I can't answer that properly.";
const hint = "Set LLM_PROVIDER to a real model provider for full answers.";

describe("offline model: keypad menu", () => {
  const pressed = (digits: string) => `The caller pressed the keys: ${digits}`;

  it("0 transfers to a person when the tool is offered", async () => {
    expect(await say(pressed("0"), { channel: "voice", tools: voiceTools })).toEqual({
      text: "",
      toolCalls: [{ toolName: "transfer_to_human", input: { reason: "caller pressed 0" } }],
    });
  });

  it("0 says honestly that no transfer is possible without the tool", async () => {
    expect(await say(pressed("0"), { channel: "voice" })).toEqual({
      text: "I can't connect you to a person on this channel.",
      toolCalls: [],
    });
  });

  it("1 describes what it can do, from the tools it was given", async () => {
    expect((await say(pressed("1"), { channel: "voice", tools: voiceTools })).text).toBe(
      "I can greet you, remember your name, repeat what you said, take a message, press phone keys for you, connect you to a person and end the call. I'm Switchboard's offline stand-in model, so that is all I can do.",
    );
    expect((await say(pressed("1"), { channel: "sms" })).text).toBe(
      `I can greet you, remember your name, repeat what you said and take a message. I'm Switchboard's offline stand-in model, so that is all I can do. ${hint}`,
    );
  });

  it("2 asks for a message, and the next message is acknowledged", async () => {
    const prompt = "Please say your message now, and I'll keep it with this conversation.";
    expect((await say(pressed("2"), { channel: "voice", tools: voiceTools })).text).toBe(prompt);
    const next = await reply([pressed("2"), prompt, "Call me back about the invoice."], {
      channel: "voice",
      tools: voiceTools,
    });
    expect(next.text).toBe("Thank you. Your message is saved with this conversation.");
  });

  it("any other key repeats the menu", async () => {
    expect((await say(pressed("7"), { channel: "voice", tools: voiceTools })).text).toBe(
      `7 is not an option. ${menuWithPerson}`,
    );
    expect((await say(pressed("12#"), { channel: "voice", tools: voiceTools })).text).toBe(
      `1 2 pound is not an option. ${menuWithPerson}`,
    );
  });

  it("accepts a typed digit on a text channel", async () => {
    expect((await say("2", { channel: "sms" })).text).toBe(
      "Please send your message now, and I'll keep it with this conversation.",
    );
  });
});

describe("offline model: intents", () => {
  it("speaks a short menu for menu, options, what can you do and help", async () => {
    const expected = `${menuWithPerson} ${simpleRules}`;
    for (const text of ["menu", "What are my options?", "what can you do?", "Help"]) {
      expect((await say(text, { channel: "voice", tools: voiceTools })).text).toBe(expected);
    }
  });

  it("offers 0 in the menu only when a person can be reached, and says Reply on text channels", async () => {
    expect((await say("menu", { channel: "sms" })).text).toBe(
      `Reply 1 to hear what I can do, or 2 to leave a message. ${simpleRules}`,
    );
  });

  it("transfers to a person on request when the tool is offered", async () => {
    for (const text of [
      "Can I talk to a person?",
      "human please",
      "get me an agent",
      "Representative!",
      "operator",
    ]) {
      expect(await say(text, { channel: "voice", tools: voiceTools })).toEqual({
        text: "",
        toolCalls: [{ toolName: "transfer_to_human", input: { reason: "caller asked for a person" } }],
      });
    }
    expect(await say("Can I talk to a person?", { channel: "web" })).toEqual({
      text: "I can't connect you to a person on this channel.",
      toolCalls: [],
    });
  });

  it("asks a person to follow up on a text channel when request_human is offered", async () => {
    const textTools = [tool("request_human")];
    expect(await say("Can I talk to a person?", { channel: "sms", tools: textTools })).toEqual({
      text: "",
      toolCalls: [{ toolName: "request_human", input: { reason: "customer asked for a person" } }],
    });
    expect((await say("menu", { channel: "sms", tools: textTools })).text).toContain(
      "or 0 to reach a person.",
    );
    expect((await say("0", { channel: "sms", tools: textTools })).toolCalls).toEqual([
      { toolName: "request_human", input: { reason: "customer pressed 0" } },
    ]);
    expect(await afterTool("request_human", { type: "json", value: { ok: true } }, {}, "sms")).toBe(
      "I've asked a person from the team to get back to you here.",
    );
  });

  it("sends digits for press, send digits and dial", async () => {
    const cases: Array<[string, string]> = [
      ["Press 1 2 3", "123"],
      ["please send the digits 4#", "4#"],
      ["send digits *9", "*9"],
      ["dial 555-0100", "5550100"],
      ["press 1w2", "1w2"],
    ];
    for (const [text, digits] of cases) {
      expect(await say(text, { channel: "voice", tools: voiceTools })).toEqual({
        text: "",
        toolCalls: [{ toolName: "send_digits", input: { digits } }],
      });
    }
    expect(await say("Press 1 2 3", { channel: "sms" })).toEqual({
      text: "I can't press phone keys on this channel.",
      toolCalls: [],
    });
  });

  it("ends the call on goodbye when end_call is offered, else says goodbye", async () => {
    for (const text of ["Bye!", "goodbye", "you can hang up", "That's all, thanks"]) {
      expect(await say(text, { channel: "voice", tools: voiceTools })).toEqual({
        text: "",
        toolCalls: [{ toolName: "end_call", input: { reason: "caller said goodbye" } }],
      });
    }
    expect((await say("bye", { channel: "sms" })).text).toBe("Goodbye, and thanks for getting in touch!");
  });

  it("remembers a name from the history", async () => {
    expect((await say("My name is ada lovelace and I have a question")).text).toBe(
      "Nice to meet you, Ada Lovelace.",
    );
    expect((await reply(["my name is Grace.", "Nice to meet you, Grace.", "What's my name?"])).text).toBe(
      "Your name is Grace.",
    );
    expect((await reply(["[via SMS] My name is Bo", "Nice to meet you, Bo.", "what is my name"])).text).toBe(
      "Your name is Bo.",
    );
  });

  it("says honestly when it was never told the name", async () => {
    expect((await reply(["Hello", "Hello!", "what's my name?"])).text).toBe(
      "You haven't told me your name yet.",
    );
  });

  it("quotes what the user said before", async () => {
    expect((await reply(["I like trains", "Noted.", "What did I just say?"])).text).toBe(
      'You said: "I like trains".',
    );
    expect((await reply(["The caller pressed the keys: 42", "Okay.", "what did I say"])).text).toBe(
      "You pressed 4 2.",
    );
    expect((await say("What did I say?")).text).toBe("This is the first thing you've said to me.");
  });

  it("repeats its previous answer", async () => {
    expect((await reply(["Hi", "The shop opens at nine.", "Sorry, can you repeat that?"])).text).toBe(
      "I said: The shop opens at nine.",
    );
    expect((await say("repeat that")).text).toBe("I haven't said anything yet.");
  });

  it("greets and says it is the offline stand-in", async () => {
    const greeting = `Hello! ${simpleRules} Ask for the menu to hear what I can do.`;
    for (const text of ["hi", "Hello!", "hey there", "Good morning"]) {
      expect((await say(text, { channel: "web" })).text).toBe(greeting);
    }
  });

  it("answers a greeting that carries a question as the question", async () => {
    const greeting = `Hello! ${simpleRules} Ask for the menu to hear what I can do.`;
    expect((await say("Hi, what time does the store open tomorrow?", { channel: "web" })).text).not.toBe(
      greeting,
    );
  });

  it("does not invent answers: anything else gets the stand-in notice", async () => {
    expect((await say("What time does the store open tomorrow?", { channel: "web" })).text).toBe(
      `${notice} ${hint}`,
    );
    expect((await say("What is the refund policy?", { channel: "sms" })).text).toBe(`${notice} ${hint}`);
  });

  it("keeps it short on a phone call", async () => {
    expect((await say("What time does the store open tomorrow?", { channel: "voice" })).text).toBe(notice);
  });

  it("never calls a tool it was not offered", async () => {
    const onlyEnd = [tool("end_call")];
    for (const text of ["press 5", "operator", "The caller pressed the keys: 0"]) {
      expect((await say(text, { channel: "voice", tools: onlyEnd })).toolCalls).toEqual([]);
    }
  });
});

describe("offline model: answers from tool results", () => {
  it("confirms sent digits from the result, or from the call's input", async () => {
    expect(await afterTool("send_digits", { type: "json", value: { ok: true, sent: "123" } })).toBe(
      "I've sent the digits 1 2 3.",
    );
    expect(await afterTool("send_digits", { type: "text", value: "ok" }, { digits: "9#" })).toBe(
      "I've sent the digits 9 pound.",
    );
  });

  it("says goodbye after end_call and announces a transfer", async () => {
    expect(await afterTool("end_call", { type: "json", value: { ok: true, ending: true } })).toBe("Goodbye!");
    expect(
      await afterTool("transfer_to_human", { type: "json", value: { ok: true, transferring: true } }),
    ).toBe("Connecting you to a person now.");
  });

  it("reports failures with the reason and never claims success", async () => {
    const transfer = await afterTool("transfer_to_human", {
      type: "error-text",
      value: "The line is busy.",
    });
    expect(transfer).toBe("I couldn't connect you to a person: The line is busy.");
    expect(transfer).not.toContain("Connecting");
    expect(await afterTool("send_digits", { type: "json", value: { ok: false, error: "line busy" } })).toBe(
      "I couldn't send the digits: line busy.",
    );
    expect(
      await afterTool("end_call", { type: "json", value: { error: { message: "call already over" } } }),
    ).toBe("I couldn't end the call: call already over.");
    expect(
      await afterTool("lookup_order", { type: "error-json", value: { message: "order not found" } }),
    ).toBe("I couldn't run lookup_order: order not found.");
    expect(await afterTool("lookup_order", { type: "execution-denied", reason: "not allowed on SMS" })).toBe(
      "I couldn't run lookup_order: not allowed on SMS.",
    );
  });

  it("summarises an unknown tool's result plainly", async () => {
    const value = { ok: true, status: "shipped", items: ["book", "pen"], delivery: { day: "Tuesday" } };
    expect(await afterTool("lookup_order", { type: "json", value }, {}, "web")).toBe(
      "lookup_order returned: status: shipped; items: book, pen; delivery: (day: Tuesday).",
    );
    expect(await afterTool("lookup_order", { type: "text", value: "Order 42 shipped on Monday" })).toBe(
      "lookup_order returned: Order 42 shipped on Monday.",
    );
    expect(await afterTool("lookup_order", { type: "json", value: null })).toBe(
      "lookup_order returned nothing.",
    );
  });

  it("answers every result of a step", async () => {
    const prompt: LanguageModelV3Prompt = [
      user("press 1 then hang up"),
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "a",
            toolName: "send_digits",
            output: { type: "json", value: { sent: "1" } },
          },
          {
            type: "tool-result",
            toolCallId: "b",
            toolName: "end_call",
            output: { type: "json", value: { ok: true } },
          },
        ],
      },
    ];
    expect(textOf(await streamCall(model, { prompt }))).toBe("I've sent the digits 1. Goodbye!");
  });
});

describe("offline model: stream shape", () => {
  const prompt: LanguageModelV3Prompt = [system("web"), user("hello")];

  it("streams one word with its trailing space per delta, then text-end and finish", async () => {
    const parts = await streamCall(model, { prompt });
    const deltas = deltasOf(parts);
    expect(deltas.length).toBe(21);
    for (const delta of deltas) expect(delta).toMatch(/^\S+ ?$/);
    expect(parts.map((part) => part.type)).toEqual([
      "stream-start",
      "response-metadata",
      "text-start",
      ...deltas.map(() => "text-delta"),
      "text-end",
      "finish",
    ]);
    const finish = parts.at(-1);
    expect(finish).toEqual({
      type: "finish",
      finishReason: { unified: "stop", raw: undefined },
      usage: {
        inputTokens: { total: 6, noCache: 6, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 21, text: 21, reasoning: 0 },
      },
    });
  });

  it("streams a tool call with tool-input parts and a tool-call part", async () => {
    const parts = await streamCall(model, { prompt: [user("press 42")], tools: voiceTools });
    const call = parts.find((part) => part.type === "tool-call");
    expect(parts.map((part) => part.type)).toEqual([
      "stream-start",
      "response-metadata",
      "tool-input-start",
      "tool-input-delta",
      "tool-input-end",
      "tool-call",
      "finish",
    ]);
    expect(call).toMatchObject({ toolName: "send_digits", input: '{"digits":"42"}' });
    expect(parts.at(-1)).toMatchObject({ finishReason: { unified: "tool-calls", raw: undefined } });
  });

  it("is deterministic: the same prompt gives the same parts, tool call ids included", async () => {
    const toolPrompt = [user("press 42")];
    expect(await streamCall(model, { prompt: toolPrompt, tools: voiceTools })).toEqual(
      await streamCall(createOfflineModel(), { prompt: toolPrompt, tools: voiceTools }),
    );
    const otherPrompt = [user("hi"), assistant("Hello!"), user("press 42")];
    const first = (await streamCall(model, { prompt: toolPrompt, tools: voiceTools })).find(
      (p) => p.type === "tool-call",
    );
    const second = (await streamCall(model, { prompt: otherPrompt, tools: voiceTools })).find(
      (p) => p.type === "tool-call",
    );
    expect(first?.type === "tool-call" && first.toolCallId).not.toBe(
      second?.type === "tool-call" && second.toolCallId,
    );
  });

  it("gives doGenerate the same answer as doStream", async () => {
    const generated = await model.doGenerate({ prompt });
    expect(generated.content).toEqual([{ type: "text", text: textOf(await streamCall(model, { prompt })) }]);
    const toolCall = await model.doGenerate({ prompt: [user("press 42")], tools: voiceTools });
    expect(toolCall.content).toEqual([
      expect.objectContaining({ type: "tool-call", input: '{"digits":"42"}' }),
    ]);
    expect(toolCall.finishReason.unified).toBe("tool-calls");
  });

  it("identifies itself as the offline model", () => {
    expect(model.provider).toBe("offline");
    expect(model.modelId).toBe("switchboard-offline");
  });
});

describe("offline model: a code read back", () => {
  const tools = [tool("verify_contact"), tool("confirm_contact_code"), tool("send_sms")];
  const sent = "I've sent a 6-digit code to •••0199. Please read it back to me to confirm it's yours.";
  const readBack = (text: string) =>
    reply(["Text me at +1 415 555 0199", sent, text], { channel: "voice", tools });

  it("takes the code in the forms people say it", async () => {
    for (const text of [
      "402936.",
      "It's 402 936.",
      "four zero two nine three six",
      "4, 0, 2, 9, 3, 6",
      "My code is 4 0 2 9 3 6.",
      "okay, the code is 402-936",
    ]) {
      expect((await readBack(text)).toolCalls, text).toEqual([
        { toolName: "confirm_contact_code", input: { code: "402936" } },
      ]);
    }
  });

  it("does not take six digits inside other words, or when no code is awaited", async () => {
    expect((await readBack("book 402936 sessions for me please")).toolCalls).toEqual([]);
    expect((await reply(["402936."], { channel: "voice", tools })).toolCalls).toEqual([]);
  });

  it("says a masked number on a call as the number ending in its digits", async () => {
    const output = { type: "json" as const, value: { status: "sent", address: "•••0199" } };
    expect(await afterTool("verify_contact", output)).toBe(
      "I've sent a 6-digit code to the number ending in 0 1 9 9. Please read it back to me to confirm it's yours.",
    );
    expect(await afterTool("verify_contact", output, {}, "sms")).toContain("to •••0199.");
    const already = { type: "json" as const, value: { status: "already-verified", address: "•••0199" } };
    expect(await afterTool("verify_contact", already)).toBe(
      "The number ending in 0 1 9 9 is already verified for you.",
    );
  });

  it("texts the number the customer asked to be texted at, once it is theirs", async () => {
    const { toolCalls } = await reply(
      ["Text me at +1 415 555 0199", sent, "402936", "Thanks, •••0199 is now verified.", "Text me that"],
      { channel: "voice", tools },
    );
    expect(toolCalls).toEqual([
      { toolName: "send_sms", input: expect.objectContaining({ to: "+14155550199" }) },
    ]);
  });
});

describe("offline model: answers from the knowledge base", () => {
  /** The answer to `question` once search_knowledge returned `results`. */
  async function answer(question: string, results: unknown[]): Promise<string> {
    const prompt: LanguageModelV3Prompt = [
      system("sms"),
      user(question),
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: "call_1", toolName: "search_knowledge", input: {} }],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "call_1",
            toolName: "search_knowledge",
            output: { type: "json", value: { results } as never },
          },
        ],
      },
    ];
    return textOf(await streamCall(model, { prompt, tools: [tool("search_knowledge")] }));
  }

  it("does not repeat the place of an event, and does not end on a cut sentence", async () => {
    const party = await answer("When is the party?", [
      {
        id: "doc:events.md#party",
        title: "Events > re:Play party",
        kind: "event",
        fields: {
          day: "Thursday",
          time: "7:00 PM – midnight",
          place: "Festival Grounds, 311 West Sahara Avenue",
        },
        snippet:
          "…Festival Grounds, 311 West Sahara Avenue re:Play is the closing party. Live music and food trucks all night long, with shuttles from every venue.",
      },
    ]);
    expect(party.split("311 West Sahara Avenue")).toHaveLength(2);
    expect(party).toContain("Live music and food trucks");
    const venue = await answer("Where is Mandalay Bay?", [
      {
        id: "doc:venues.md#mandalay-bay",
        title: "Venues > Mandalay Bay",
        kind: "document",
        fields: {},
        snippet:
          "Mandalay Bay is at 3950 Las Vegas Blvd South, at the southern end of the Strip. Shuttles stop at the Level 1 bays. The…",
      },
    ]);
    expect(venue).toBe(
      "Mandalay Bay: Mandalay Bay is at 3950 Las Vegas Blvd South, at the southern end of the Strip. Shuttles stop at the Level 1 bays.",
    );
  });
});
