// A sample order system for Switchboard's order_status tool (examples/order-status/tools.json):
// a plain node:http endpoint with no dependencies, written the way docs/tools.md describes. It
// checks the switchboard-signature when TOOLS_SIGNING_SECRET is set, and answers an order only to
// the customer it belongs to (by their verified phone numbers and emails, never the order number
// alone). Run: node examples/order-status/server.mjs  (ORDERS_PORT=4100 by default, on 127.0.0.1).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const orders = [
  { order: "A-1042", owner: "+14155550123", status: "shipped", carrier: "UPS", arrives: "Thursday" },
  { order: "A-1043", owner: "pat@example.org", status: "being packed", arrives: "next Monday" },
];

export function isFromSwitchboard(rawBody, header, secret, maxAgeSeconds = 300) {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) return false;
  const [, timestamp, signature] = match;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > maxAgeSeconds) return false;
  const expected = createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest();
  return timingSafeEqual(Buffer.from(signature, "hex"), expected);
}

const secret = process.env.TOOLS_SIGNING_SECRET;
const answer = (response, status, json) => {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(json));
};

const server = createServer((request, response) => {
  let rawBody = "";
  request.setEncoding("utf8");
  request.on("data", (chunk) => {
    rawBody += chunk;
  });
  request.on("end", () => {
    if (request.method !== "POST" || request.url !== "/order-status")
      return answer(response, 404, { error: "Not found" });
    if (secret && !isFromSwitchboard(rawBody, request.headers["switchboard-signature"], secret))
      return answer(response, 401, { error: "Bad signature" });
    let call;
    try {
      call = JSON.parse(rawBody);
    } catch {
      return answer(response, 400, { error: "The body is not JSON" });
    }
    const wanted = String(call.arguments?.orderNumber ?? "")
      .trim()
      .toUpperCase();
    const addresses = [...(call.customer?.phoneNumbers ?? []), ...(call.customer?.emails ?? [])];
    const found = orders.find((order) => order.order === wanted && addresses.includes(order.owner));
    // Write errors for the model: it reads them and tells the customer.
    if (!found) return answer(response, 404, { error: `No order ${wanted} for this customer` });
    const { owner: _owner, ...visible } = found;
    return answer(response, 200, visible);
  });
});

const port = Number(process.env.ORDERS_PORT ?? 4100);
server.listen(port, "127.0.0.1", () => {
  const { port: actual } = server.address();
  console.log(
    `Sample order system on http://127.0.0.1:${actual}/order-status${secret ? " (checking signatures)" : ""}`,
  );
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
