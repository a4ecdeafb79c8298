/**
 * Slack-compatible incoming webhook: `text` (fallback and notification text) plus Block Kit
 * blocks: a header, one section per alert (at most 20, then a count) and a link button.
 * Mattermost and Rocket.Chat accept the same shape.
 */
import type { AlertMessage } from "../message.ts";
import type { Sender } from "./types.ts";
import { postJson } from "./types.ts";

const EMOJI: Record<string, string> = {
  firing: ":rotating_light:",
  repeat: ":rotating_light:",
  acknowledged: ":eyes:",
  resolved: ":white_check_mark:",
};

/** The Slack payload for a message. */
export function slackPayload(m: AlertMessage) {
  const shown = m.alerts.slice(0, 20);
  return {
    text: `${EMOJI[m.kind]} ${m.title}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: m.title.slice(0, 150) } },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `*${m.severity}* · ${m.rule.condition}` }],
      },
      ...shown.map((a) => ({
        type: "section",
        text: { type: "mrkdwn", text: `• <${a.url}|${a.summary}>` },
      })),
      ...(m.alerts.length > shown.length
        ? [{
          type: "context",
          elements: [{ type: "mrkdwn", text: `and ${m.alerts.length - shown.length} more` }],
        }]
        : []),
      {
        type: "actions",
        elements: [{
          type: "button",
          text: { type: "plain_text", text: "Open in Tillstream" },
          url: m.url,
        }],
      },
    ],
  };
}

/** Sends to a Slack-compatible webhook. */
export const sendSlack: Sender = ({ channel, message, signal }) => {
  const cfg = channel!.config as { url: string; headers?: Record<string, string> };
  return postJson(cfg.url, slackPayload(message), signal, cfg.headers);
};
