import { timingSafeEqual } from "node:crypto";
import { SwitchboardError } from "../errors/switchboard-error.js";

/**
 * A check of `Authorization: Bearer <token>` in constant time; throws a 401 that names the
 * variable to set (`ADMIN_TOKEN`, `METRICS_TOKEN`) when the header is missing or wrong.
 */
export function bearerTokenCheck(
  token: string,
  what: string,
  variable: string,
): (authorization?: string) => void {
  const expected = Buffer.from(`Bearer ${token}`);
  return (authorization) => {
    const given = Buffer.from(authorization ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new SwitchboardError(
        "UNAUTHORIZED",
        `Missing or wrong ${what} (Authorization: Bearer $${variable})`,
        { statusCode: 401 },
      );
  };
}
