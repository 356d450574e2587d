/** What the terminal caller needs from the `<ConversationRelay>` TwiML of the voice webhook. */
export interface RelayTwiml {
  /** The `url` attribute, a public `wss://…` URL (the signed one). */
  url: string;
  welcomeGreeting: string | undefined;
  /** `<Parameter name value>` children, delivered as `setup.customParameters`. */
  customParameters: Record<string, string>;
}

/** The inside of a start tag: anything but `>` outside quotes (a quoted value may hold a raw `>`). */
const tagInner = `((?:[^>"']|"[^"]*"|'[^']*')*?)`;
const relayTag = new RegExp(String.raw`<ConversationRelay\b${tagInner}(\/?)>`);
const parameterTag = new RegExp(String.raw`<Parameter\b${tagInner}\/?>`, "g");

const xmlEntities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the five predefined XML entities and numeric character references, in one pass. */
export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (entity, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X"))
      return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return xmlEntities[name] ?? entity;
  });
}

/** The attributes of one start tag's inner text (`name="value"` or `name='value'`), decoded. */
export function parseXmlAttributes(tagText: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of tagText.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const [, name, doubleQuoted, singleQuoted] = match;
    if (name) attributes[name] = decodeXmlEntities(doubleQuoted ?? singleQuoted ?? "");
  }
  return attributes;
}

/**
 * Finds `<ConversationRelay url=… welcomeGreeting=…>` and its `<Parameter>` children in a TwiML
 * document. A small regex reader, enough for the TwiML the server renders; undefined without a relay.
 */
export function parseRelayTwiml(twiml: string): RelayTwiml | undefined {
  const start = relayTag.exec(twiml);
  if (!start) return undefined;
  const attributes = parseXmlAttributes(start[1] ?? "");
  if (!attributes.url) return undefined;
  const customParameters: Record<string, string> = {};
  if (start[2] !== "/") {
    const bodyStart = start.index + start[0].length;
    const bodyEnd = twiml.indexOf("</ConversationRelay>", bodyStart);
    const body = twiml.slice(bodyStart, bodyEnd < 0 ? undefined : bodyEnd);
    for (const parameter of body.matchAll(parameterTag)) {
      const { name, value } = parseXmlAttributes(parameter[1] ?? "");
      if (name !== undefined) customParameters[name] = value ?? "";
    }
  }
  return { url: attributes.url, welcomeGreeting: attributes.welcomeGreeting, customParameters };
}

/**
 * The socket to open for a public relay URL: same path and query, but the local server's host
 * (`wss://public.example/twilio/relay?x=1` + `http://127.0.0.1:3000` → `ws://127.0.0.1:3000/twilio/relay?x=1`).
 */
export function localRelayUrl(publicRelayUrl: string, serverUrl: string): string {
  const server = new URL(serverUrl);
  const scheme = server.protocol === "https:" ? "wss:" : "ws:";
  const pathAndQuery = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(publicRelayUrl)?.[1] ?? "";
  return `${scheme}//${server.host}${pathAndQuery.startsWith("/") ? "" : "/"}${pathAndQuery}`;
}
