/** The channels one agent speaks on. */
export type ChannelName = "voice" | "sms" | "email" | "web";

export const channelNames: readonly ChannelName[] = ["voice", "sms", "email", "web"];
