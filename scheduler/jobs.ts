/**
 * The built-in scheduled jobs. To add one, append an entry to `JOBS` (or call `registerJob` from
 * your module at start); give it a name, a default croner schedule, and a `run` that returns a
 * small JSON-able summary (or `{ skipped: "why" }`). Schedules are overridable with
 * TILLSTREAM_SCHEDULES="name=cron;other=off".
 */
import type { Job } from "./job.ts";
import { alertsJob } from "../alerts/job.ts";
import { bootstrapModels } from "../models/bootstrap.ts";
import { runForecast } from "../models/forecast_run.ts";
import { checkForecastBand } from "../models/anomaly_band.ts";
import { checkRegisterPatterns } from "../models/anomaly_register.ts";
import { checkPrices } from "../models/anomaly_price.ts";
import { type AnomalyThresholds, DEFAULT_THRESHOLDS } from "../models/anomaly_score.ts";
import { runDemand } from "../models/demand.ts";
import { runChurn } from "../models/churn.ts";
import { activeVersion } from "../models/registry.ts";
import { retrainAll } from "../models/retrain.ts";
import { pipelineUnsettled } from "./settled.ts";

/** Every built-in job, in the order they are listed on /models. */
export const JOBS: Job[] = [
  {
    name: "bootstrap",
    description: "train first models as soon as enough history exists",
    schedule: "* * * * *",
    runOnStart: true,
    lockTtlMs: 10 * 60_000,
    run: ({ rt, now, signal }) =>
      bootstrapModels(rt.sql, now, {
        databaseUrl: rt.config.DATABASE_URL,
        unsettled: () => pipelineUnsettled(rt),
        signal,
      }),
  },
  {
    name: "forecast",
    description: "hourly (48 h) and daily (14 d) forecasts from the active model",
    schedule: "2 * * * *",
    run: async ({ rt, now }) => {
      const r = await runForecast(rt.sql, now);
      return r.skipped ? { skipped: r.skipped } : { ...r };
    },
  },
  {
    name: "anomaly",
    description: "forecast-band, register-pattern and price checks on closed windows",
    schedule: "* * * * *",
    run: async ({ rt, now }) => {
      const active = await activeVersion(rt.sql, "anomaly");
      const thresholds = {
        ...DEFAULT_THRESHOLDS,
        ...(active?.params?.thresholds as Partial<AnomalyThresholds> ?? {}),
      };
      const band = await checkForecastBand(rt.sql, now, { thresholds });
      const register = await checkRegisterPatterns(rt.sql, now, {
        thresholds,
        cacheKey: rt.config.DATABASE_URL,
      });
      const price = await checkPrices(rt.sql, now, { cacheKey: rt.config.DATABASE_URL });
      return { bandFlags: band.length, registerFlags: register.length, priceFlags: price.length };
    },
  },
  {
    name: "demand",
    description: "daily demand, days of cover and reorder quantities per store x SKU",
    schedule: "15 * * * *",
    run: async ({ rt, now }) => ({ ...(await runDemand(rt.sql, now)) }),
  },
  {
    name: "churn",
    description: "churn probability, reasons and RFM segment per customer",
    schedule: "30 3 * * *",
    run: async ({ rt, now }) => {
      const r = await runChurn(rt.sql, now);
      return r.model ? { ...r } : { skipped: "no active churn model" };
    },
  },
  {
    name: "prune_runs",
    description: "forget job runs older than 30 days (skipped ones after 2 days)",
    schedule: "40 4 * * *",
    run: async ({ rt, now }) => {
      const res = await rt.sql`delete from job_runs where started_at < ${new Date(
        now - 30 * 86_400_000,
      )}
        or (status = 'skipped' and started_at < ${new Date(now - 2 * 86_400_000)})`;
      return { deleted: res.count };
    },
  },
  {
    name: "retrain",
    description: "weekly retrain of every model; promoted only when it beats the active one",
    schedule: "0 4 * * 0",
    lockTtlMs: 30 * 60_000,
    run: ({ rt, now, signal }) =>
      retrainAll(rt.sql, now, { databaseUrl: rt.config.DATABASE_URL, signal }),
  },
  alertsJob,
];
