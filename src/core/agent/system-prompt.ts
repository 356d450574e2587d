import type { ChannelName } from "../../ports/channel.js";

/**
 * Builds the system prompt of each channel once: the agent's own prompt, then the channel line and
 * the channel's style instructions (which come from the channel, not from forks of the agent).
 */
export function buildSystemPrompts(
  basePrompt: string,
  channelInstructions: Partial<Record<ChannelName, string>>,
): Record<ChannelName, string> {
  const build = (channel: ChannelName) => {
    const instructions = channelInstructions[channel]?.trim();
    return [basePrompt.trim(), `Channel: ${channel}`, instructions].filter(Boolean).join("\n\n");
  };
  return { voice: build("voice"), sms: build("sms"), email: build("email"), web: build("web") };
}
