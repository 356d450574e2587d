import VoiceResponse from "twilio/lib/twiml/VoiceResponse.js";
import type { VoiceConfig } from "../../config/config.js";

export interface RelayTwimlOptions {
  /** `wss://…/twilio/relay` */
  relayUrl: string;
  /** `https://…/twilio/voice/ended` */
  actionUrl: string;
  voice: VoiceConfig;
  /** Delivered to the session as `setup.customParameters`. */
  parameters?: Record<string, string>;
  /** Omit the greeting (e.g. when reconnecting a dropped session). */
  skipGreeting?: boolean;
}

/** `<Response><Connect action><ConversationRelay …/></Connect></Response>` from config, via Twilio's builder. */
export function buildRelayTwiml(options: RelayTwimlOptions): string {
  const { voice } = options;
  const response = new VoiceResponse();
  const connect = response.connect({ action: options.actionUrl });
  const attributes: VoiceResponse.ConversationRelayAttributes = {
    url: options.relayUrl,
    language: voice.language,
    ttsProvider: voice.ttsProvider,
    transcriptionProvider: voice.transcriptionProvider,
    interruptible: voice.interruptible,
    dtmfDetection: voice.dtmfDetection,
  };
  if (!options.skipGreeting && voice.welcomeGreeting) {
    attributes.welcomeGreeting = voice.welcomeGreeting;
    attributes.welcomeGreetingInterruptible = voice.welcomeGreetingInterruptible;
  }
  if (voice.ttsVoice) attributes.voice = voice.ttsVoice;
  if (voice.speechModel) attributes.speechModel = voice.speechModel;
  if (voice.hints) attributes.hints = voice.hints;
  const relay = connect.conversationRelay(attributes);
  for (const language of voice.extraLanguages) {
    const languageAttributes: VoiceResponse.LanguageAttributes = { code: language.code };
    if (language.ttsProvider) languageAttributes.ttsProvider = language.ttsProvider;
    if (language.voice) languageAttributes.voice = language.voice;
    if (language.transcriptionProvider)
      languageAttributes.transcriptionProvider = language.transcriptionProvider;
    if (language.speechModel) languageAttributes.speechModel = language.speechModel;
    relay.language(languageAttributes);
  }
  for (const [name, value] of Object.entries(options.parameters ?? {})) relay.parameter({ name, value });
  return response.toString();
}

export function hangupTwiml(): string {
  const response = new VoiceResponse();
  response.hangup();
  return response.toString();
}

export function dialTwiml(number: string): string {
  const response = new VoiceResponse();
  response.dial(number);
  return response.toString();
}
