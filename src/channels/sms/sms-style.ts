/** How the agent writes in a text message. */
export const smsChannelInstructions = `You are texting with the customer by SMS.
- Plain text only: no markdown, no bullet symbols, no headings. Short sentences.
- Keep a reply under 320 characters when you can; never more than 1,600.
- Put the key fact (time, place, code, link) first.`;

export const smsHelpText =
  "Switchboard: reply to this number to talk with our assistant. Reply STOP to opt out, START to opt back in. Msg & data rates may apply.";
