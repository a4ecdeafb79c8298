/**
 * Microsoft Teams-compatible webhook (Workflows "post to a channel when a webhook request is
 * received"): a message with one Adaptive Card attachment listing the alerts and a link.
 */
import type { AlertMessage } from "../message.ts";
import type { Sender } from "./types.ts";
import { postJson } from "./types.ts";

const COLOR: Record<string, string> = {
  low: "default",
  medium: "warning",
  high: "attention",
  critical: "attention",
};

/** The Teams payload for a message. */
export function teamsPayload(m: AlertMessage) {
  return {
    type: "message",
    attachments: [{
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
        type: "AdaptiveCard",
        version: "1.4",
        body: [
          {
            type: "TextBlock",
            size: "Large",
            weight: "Bolder",
            wrap: true,
            color: m.kind === "resolved" ? "good" : COLOR[m.severity] ?? "default",
            text: m.title,
          },
          { type: "TextBlock", wrap: true, isSubtle: true, text: m.rule.condition },
          {
            type: "FactSet",
            facts: m.alerts.slice(0, 30).map((a) => ({
              title: a.store_ids.join(", ") || a.scope_key,
              value: a.summary,
            })),
          },
        ],
        actions: [{ type: "Action.OpenUrl", title: "Open in Tillstream", url: m.url }],
      },
    }],
  };
}

/** Sends to a Teams-compatible webhook. */
export const sendTeams: Sender = ({ channel, message, signal }) => {
  const cfg = channel!.config as { url: string; headers?: Record<string, string> };
  return postJson(cfg.url, teamsPayload(message), signal, cfg.headers);
};
