/**
 * Notification channel definitions: a type and its config, validated per type. Team channels
 * (webhook, Slack, Teams, PagerDuty, fixed e-mail lists, in-app) are named on rules; personal
 * e-mail and Web Push reach users through their subscriptions.
 */
import { z } from "zod";
import { toIssues, ValidationError } from "../rules.ts";

const retry = z.object({
  max_attempts: z.number().int().min(1).max(20).default(5),
  /** First retry after this long; each further retry waits twice as long (capped at 1 h). */
  base_ms: z.number().int().min(0).max(3_600_000).default(30_000),
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
}).strict().default({ max_attempts: 5, base_ms: 30_000, timeout_ms: 10_000 });

const httpUrl = z.string().url().refine((u) => /^https?:/.test(u), {
  message: 'use an http(s) URL, e.g. "https://hooks.example.com/tillstream"',
});

const base = {
  id: z.string().regex(/^[a-z0-9_-]{1,64}$/, {
    message: 'use 1-64 lowercase letters, digits, "-" or "_", e.g. "ops-slack"',
  }),
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
};

/** Schema of a channel as written in the API or the provisioning file. */
export const channelSchema = z.discriminatedUnion("type", [
  z.object({ ...base, type: z.literal("in_app"), config: z.object({}).strict().default({}) }),
  z.object({
    ...base,
    type: z.enum(["webhook", "slack", "teams"]),
    config: z.object({ url: httpUrl, headers: z.record(z.string(), z.string()).optional(), retry })
      .strict(),
  }),
  z.object({
    ...base,
    type: z.literal("email"),
    config: z.object({ to: z.array(z.string().email()).min(1), retry }).strict(),
  }),
  z.object({
    ...base,
    type: z.literal("pagerduty"),
    config: z.object({
      routing_key: z.string().min(1),
      url: httpUrl.default("https://events.pagerduty.com/v2/enqueue"),
      retry,
    }).strict(),
  }),
  z.object({
    ...base,
    type: z.literal("web_push"),
    config: z.object({ retry }).strict().default({
      retry: { max_attempts: 5, base_ms: 30_000, timeout_ms: 10_000 },
    }),
  }),
]);

/** A validated channel. */
export type Channel = z.infer<typeof channelSchema>;
/** Channel types. */
export type ChannelType = Channel["type"];
/** Retry settings of a channel. */
export type RetrySettings = z.infer<typeof retry>;

/** Default retry settings for personal channels (e-mail to users, Web Push). */
export const DEFAULT_RETRY: RetrySettings = {
  max_attempts: 5,
  base_ms: 30_000,
  timeout_ms: 10_000,
};

/** Channel type names. */
export const CHANNEL_TYPES = [
  "in_app",
  "webhook",
  "slack",
  "teams",
  "email",
  "pagerduty",
  "web_push",
] as const;

/** Validates `input` as a channel; throws ValidationError naming each bad field. */
export function parseChannel(input: unknown): Channel {
  const r = channelSchema.safeParse(input);
  if (!r.success) throw new ValidationError(toIssues(r.error, CHANNEL_TYPES));
  return r.data;
}

/** Retry settings of a channel (defaults when it has none). */
export function retryOf(c: Channel | undefined): RetrySettings {
  const cfg = c?.config as { retry?: RetrySettings } | undefined;
  return cfg?.retry ?? DEFAULT_RETRY;
}
