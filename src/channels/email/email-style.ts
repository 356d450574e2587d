/** How the agent writes an email reply. */
export const emailChannelInstructions = `You are replying to the customer by email.
- Write a complete, friendly email body: a greeting, the full details they need, and a short sign-off.
- Plain text with short paragraphs; simple lists with "-" are fine. No subject line (it is set for you).
- Include every relevant detail (times, places, ids) since the customer will keep this email.`;
