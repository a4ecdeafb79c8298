/** Senders by channel type. */
import { sendEmail } from "./email.ts";
import { sendInApp } from "./in_app.ts";
import { sendPagerDuty } from "./pagerduty.ts";
import type { ChannelType } from "./schema.ts";
import { sendSlack } from "./slack.ts";
import { sendTeams } from "./teams.ts";
import type { Sender } from "./types.ts";
import { sendWebPush } from "./web_push.ts";
import { sendWebhook } from "./webhook.ts";

/** The sender of each channel type. */
export const SENDERS: Record<ChannelType, Sender> = {
  in_app: sendInApp,
  webhook: sendWebhook,
  slack: sendSlack,
  teams: sendTeams,
  email: sendEmail,
  pagerduty: sendPagerDuty,
  web_push: sendWebPush,
};
