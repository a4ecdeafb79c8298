/** Channels as the API shows them: secrets (routing keys, header values) masked. */
import type { Channel } from "./channels/schema.ts";

const mask = (s: string) =>
  s.length <= 4 ? "****" : `${"*".repeat(Math.min(8, s.length - 4))}${s.slice(-4)}`;

/** A channel with its secrets masked. */
export function channelView(c: Channel & { provisioned?: boolean }) {
  const config = { ...(c.config as Record<string, unknown>) };
  if (typeof config.routing_key === "string") config.routing_key = mask(config.routing_key);
  if (config.headers && typeof config.headers === "object") {
    config.headers = Object.fromEntries(
      Object.entries(config.headers as Record<string, string>).map(([k, v]) => [k, mask(v)]),
    );
  }
  return { ...c, config };
}
