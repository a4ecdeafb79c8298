/**
 * The alert rule model and its validation, shared by the JSON API and the provisioning file.
 * A rule names what to watch (type + params), where (scope), how often (interval), how long the
 * condition must hold before it fires (for), when it counts as resolved, and where it goes.
 */
import { z } from "zod";

/** Severities, lowest first. */
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
/** One severity. */
export type Severity = typeof SEVERITIES[number];

/** Numeric rank of a severity, for "at least" comparisons. */
export const severityRank = (s: string): number => SEVERITIES.indexOf(s as Severity);

const id = z.string().regex(/^[a-z0-9_-]{1,64}$/, {
  message: 'use 1-64 lowercase letters, digits, "-" or "_", e.g. "sales-drop"',
});
const storeId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'e.g. "S001"' });

const threshold = z.object({
  type: z.literal("threshold"),
  params: z.object({
    /** sales: cents in the window; refund_rate: refund cents / sales cents in %; pacing: % vs
     * the same time last week (store-local day so far); transactions: receipts in the window. */
    metric: z.enum(["sales", "transactions", "refund_rate", "pacing"]),
    op: z.enum(["below", "above"]),
    value: z.number(),
    window_min: z.number().int().min(1).max(1440).default(30),
    /** "store": one alert per store; "scope": the scope's stores summed, one alert. */
    per: z.enum(["store", "scope"]).default("store"),
    /** Only evaluate a store while it is open (opening_hours) for the whole window. */
    only_open: z.boolean().default(true),
    /** refund_rate/pacing ignore stores with fewer receipts (rate of 1 refund in 2 is noise). */
    min_transactions: z.number().int().min(0).default(5),
  }).strict(),
});

const anomaly = z.object({
  type: z.literal("anomaly"),
  params: z.object({
    min_severity: z.enum(SEVERITIES).default("high"),
    kinds: z.array(z.string()).optional(),
    /** A flag counts while its window ended less than this long ago. */
    lookback_min: z.number().int().min(1).max(10080).default(60),
  }).strict().prefault({}),
});

const inventory = z.object({
  type: z.literal("inventory"),
  params: z.object({
    condition: z.enum(["stockout", "days_of_cover_below"]),
    days: z.number().positive().optional(),
    skus: z.array(z.string()).optional(),
  }).strict().refine((p) => p.condition !== "days_of_cover_below" || p.days !== undefined, {
    message: 'days_of_cover_below needs "days", e.g. days: 2',
    path: ["days"],
  }),
});

const pipeline = z.object({
  type: z.literal("pipeline"),
  params: z.object({
    check: z.enum(["lag_above", "dlq_growing", "store_silent"]),
    /** lag_above: oldest unprocessed entry older than this many seconds. */
    seconds: z.number().int().positive().optional(),
    /** dlq_growing: at least this many dead letters within window_min. */
    min_new: z.number().int().positive().optional(),
    window_min: z.number().int().positive().optional(),
    /** store_silent: no receipt for this many minutes while the store is open. */
    minutes: z.number().int().positive().optional(),
  }).strict().superRefine((p, ctx) => {
    const need = { lag_above: "seconds", dlq_growing: "min_new", store_silent: "minutes" }[p.check];
    if ((p as Record<string, unknown>)[need] === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [need],
        message: `check "${p.check}" needs "${need}", e.g. ${need}: 10`,
      });
    }
  }),
});

const common = {
  id,
  name: z.string().min(1).max(200),
  scope: z.object({
    regions: z.array(z.string().min(1)).optional(),
    stores: z.array(storeId).optional(),
  }).strict().default({}),
  severity: z.enum(SEVERITIES).default("medium"),
  interval_s: z.number().int().min(5).max(86400).default(60),
  for_s: z.number().int().min(0).max(86400).default(0),
  resolve: z.object({
    /** Hysteresis: the value must cross this (not just the firing threshold) to clear. */
    value: z.number().optional(),
    /** The clear condition must hold this long before the alert resolves (flap damping). */
    after_s: z.number().int().min(0).max(86400).optional(),
  }).strict().default({}),
  repeat_s: z.number().int().min(60).max(7 * 86400).default(4 * 3600),
  channels: z.array(id).default([]),
  enabled: z.boolean().default(true),
};

/** Schema of a rule as written by people (API body or provisioning file). */
export const ruleSchema = z.discriminatedUnion("type", [
  threshold.extend(common).strict(),
  anomaly.extend(common).strict(),
  inventory.extend(common).strict(),
  pipeline.extend(common).strict(),
]);

/** A validated rule with defaults filled in. */
export type Rule = z.infer<typeof ruleSchema>;
/** A rule as written, before defaults. */
export type RuleInput = z.input<typeof ruleSchema>;

/** A rule's stored form, as read back from PostgreSQL. */
export type StoredRule = Rule & { provisioned: boolean };

/** Raised for invalid rule or channel input; `issues` name each bad field. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(public issues: { path: (string | number)[]; message: string }[]) {
    super(issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; "));
  }
}

/** Converts zod issues into {@link ValidationError} issues. */
export function toIssues(
  error: z.ZodError,
  types: readonly string[] = ["threshold", "anomaly", "inventory", "pipeline"],
): { path: (string | number)[]; message: string }[] {
  return error.issues.map((i) => {
    const path = i.path.map((p) => typeof p === "symbol" ? String(p) : p);
    // A bad discriminator only says "Invalid input"; say what the choices are.
    const badType = i.code === "invalid_union" && path.at(-1) === "type";
    return {
      path,
      message: badType ? `unknown type; use one of ${types.join(", ")}` : i.message,
    };
  });
}

/** Validates `input` as a rule; throws {@link ValidationError} naming each bad field. */
export function parseRule(input: unknown): Rule {
  const r = ruleSchema.safeParse(input);
  if (!r.success) throw new ValidationError(toIssues(r.error));
  return r.data;
}

/** Seconds the clear condition must hold before an alert resolves: default two intervals. */
export function resolveAfterS(rule: Rule): number {
  return rule.resolve.after_s ?? 2 * rule.interval_s;
}

/** A one-line description of the condition, for messages ("sales in 30 min below 100.00"). */
export function describeCondition(rule: Rule): string {
  switch (rule.type) {
    case "threshold": {
      const p = rule.params;
      const v = p.metric === "sales"
        ? (p.value / 100).toFixed(2)
        : p.metric === "transactions"
        ? String(p.value)
        : `${p.value}%`;
      const what = p.metric === "pacing"
        ? "pacing vs last week"
        : `${p.metric.replace("_", " ")} in ${p.window_min} min`;
      return `${what} ${p.op} ${v}`;
    }
    case "anomaly":
      return `anomaly flags of severity ${rule.params.min_severity} or more`;
    case "inventory":
      return rule.params.condition === "stockout"
        ? "SKUs out of stock"
        : `SKUs with under ${rule.params.days} days of cover`;
    case "pipeline":
      return {
        lag_above: `stream lag above ${rule.params.seconds} s`,
        dlq_growing: `${rule.params.min_new}+ dead letters in ${rule.params.window_min ?? 10} min`,
        store_silent: `store silent for ${rule.params.minutes} min while open`,
      }[rule.params.check];
  }
}
