/**
 * Generic JSON webhook: POSTs the message as is (version 1), with any configured headers.
 *
 *   {"version": 1, "kind": "firing", "title": "...", "text": "...", "url": "...",
 *    "severity": "high", "rule": {...}, "alerts": [AlertView...], "at": "ISO time"}
 */
import type { Sender } from "./types.ts";
import { postJson } from "./types.ts";

/** Sends a generic webhook. */
export const sendWebhook: Sender = ({ channel, message, signal }) => {
  const cfg = channel!.config as { url: string; headers?: Record<string, string> };
  return postJson(cfg.url, { version: 1, ...message }, signal, cfg.headers);
};
