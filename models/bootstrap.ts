/**
 * First models on a fresh install: as soon as the rollups hold enough recent history (the
 * simulator backfills ~28 days at start), train, promote and run the forecast, churn and demand
 * models, so a new user sees outputs within minutes instead of after the weekly retrain.
 * Cheap when there is nothing to do; a refused or failed attempt is not retried for 6 hours.
 * Nothing is trained while the history is still arriving (simulator backfilling, streams not
 * drained, or some stores' rollups ending far behind the others): a model trained on that seam
 * learns and is scored on hours that are still empty.
 */
import type { Sql } from "../lib/db.ts";
import { log } from "../lib/log.ts";
import { DAY_MS, HOUR_MS } from "./calendar.ts";
import { hourlyRange } from "./series.ts";
import { MIN_FORECAST_DAYS } from "./forecast.ts";
import { runForecast } from "./forecast_run.ts";
import { runChurn } from "./churn.ts";
import { runDemand } from "./demand.ts";
import { activeVersion, actor, promote } from "./registry.ts";
import { promoteModel } from "./promotion.ts";
import { trainer, TrainingStopped } from "./train_worker.ts";

const RETRY_MS = 6 * HOUR_MS;
/** Days of customer history before a first churn model is trained. */
const MIN_CHURN_DAYS = 21;

/** A store whose rollups end this long before the newest store's is still being loaded. */
const STORE_LAG_MS = 36 * HOUR_MS;

/**
 * Stores that sold in the last week before `to` but whose latest hour in `rollup_hour` is more
 * than 36 h older than the newest store's (a night or a closed Sunday is shorter than that).
 */
export async function laggingStores(sql: Sql, to: number): Promise<string[]> {
  const rows = await sql<{ store_id: string }[]>`
    with last as (
      select store_id, max(bucket) as b from rollup_hour
      where store_id <> '*' and category <> '*' and bucket >= ${new Date(to - 7 * DAY_MS)}
      group by store_id)
    select store_id from last
    where b < (select max(b) from last) - make_interval(secs => ${STORE_LAG_MS / 1000})
    order by store_id`;
  return rows.map((r) => r.store_id);
}

/** How long lagging stores are waited for: a seam drains in minutes; a closed store must not block. */
const LAG_PATIENCE_MS = 2 * HOUR_MS;

/**
 * Why some stores' history is still loading ({@link laggingStores}), or null. After two hours of
 * waiting (the first bootstrap run in the last day that said so) the lag is taken as real — a
 * store closed for a holiday or for good — and training goes ahead.
 */
export async function storesStillLoading(sql: Sql, now: number): Promise<string | null> {
  const lag = await laggingStores(sql, now);
  if (!lag.length) return null;
  const [r] = await sql`select min(coalesce(scheduled_for, started_at)) as at from job_runs
    where job = 'bootstrap' and details::text like '%history still loading%'
      and coalesce(scheduled_for, started_at) >= ${new Date(now - DAY_MS)}`;
  if (r?.at && now - new Date(r.at).getTime() >= LAG_PATIENCE_MS) {
    log.warn("bootstrap: training although stores lag behind", { stores: lag.slice(0, 10) });
    return null;
  }
  return `history still loading for ${lag.length} store(s) (${lag.slice(0, 3).join(", ")}${
    lag.length > 3 ? ", …" : ""
  })`;
}

/** Days of the last four weeks (and any ahead of UTC's today) with SKU sales recorded. */
async function skuHistoryDays(sql: Sql, now: number): Promise<number> {
  const [r] = await sql<{ days: number }[]>`
    select count(*)::int as days
    from generate_series(${new Date(now - 28 * DAY_MS)}::date, ${new Date(now + DAY_MS)}::date,
      interval '1 day') as d
    where exists(select 1 from sku_daily where day = d::date)`;
  return r.days;
}

async function recentlyTried(sql: Sql, name: string, now: number): Promise<boolean> {
  const [r] = await sql`select max(at) as at from model_events
                        where name = ${name} and action in ('register', 'refuse')`;
  return !!r?.at && now - new Date(r.at).getTime() < RETRY_MS;
}

/** Trains whatever has no active version yet and has enough data; returns what it did. */
export async function bootstrapModels(
  sql: Sql,
  now: number,
  opts: {
    databaseUrl?: string;
    /** Why the pipeline is not caught up yet (scheduler/settled.ts), or null when it is. */
    unsettled?: () => Promise<string | null>;
    /** Aborts a training in progress (shutdown): the run rejects with TrainingStopped. */
    signal?: AbortSignal;
  } = {},
): Promise<Record<string, unknown>> {
  const done: Record<string, unknown> = {};
  const who = actor("scheduler");
  const train = trainer(sql, opts.databaseUrl, opts.signal);
  let wait: string | null | undefined;
  const notReady = async () => {
    if (wait !== undefined) return wait;
    wait = (await opts.unsettled?.()) ?? null;
    wait ??= await storesStillLoading(sql, now);
    return wait;
  };

  if (!(await activeVersion(sql, "forecast"))) {
    const range = await hourlyRange(sql);
    const days = range ? (range.to - range.from) / DAY_MS : 0;
    if (!range || days < MIN_FORECAST_DAYS || range.to < now - 3 * HOUR_MS) {
      done.forecast = `waiting for history (${
        days.toFixed(1)
      } days, need ${MIN_FORECAST_DAYS} up to now)`;
    } else if (await recentlyTried(sql, "forecast", now)) {
      done.forecast = "tried recently";
    } else if (await notReady()) {
      done.forecast = `waiting: ${await notReady()}`;
    } else {
      const t = await train("forecast", { now, trainedBy: who });
      const p = await promoteModel(sql, "forecast", t.version, { actor: who, now });
      done.forecast = { version: t.version, promoted: p.promoted, reason: p.reason };
      if (p.promoted) done.forecastRun = await runForecast(sql, now);
      log.info("bootstrap: first forecast model", { version: t.version, promoted: p.promoted });
    }
  } else {
    const [f] = await sql`select exists(select 1 from forecasts
                          where resolution = 'hour' and bucket >= ${new Date(now)}) as any`;
    if (!f.any) done.forecastRun = await runForecast(sql, now);
  }

  if (!(await activeVersion(sql, "churn")) && !(await recentlyTried(sql, "churn", now))) {
    // Churn labels need weeks: wait for 3 weeks of customer history reaching up to now.
    const [c] = await sql`select count(distinct customer_id)::int as n, min(ts) as lo, max(ts) as hi
      from receipts where customer_id is not null and ts >= ${new Date(now - 400 * DAY_MS)}`;
    const span = c.lo ? (new Date(c.hi).getTime() - new Date(c.lo).getTime()) / DAY_MS : 0;
    const caughtUp = !!c.hi && new Date(c.hi).getTime() >= now - 3 * HOUR_MS;
    if (c.n < 50 || span < MIN_CHURN_DAYS || !caughtUp) {
      done.churn = `waiting for history (${c.n} customers over ${
        span.toFixed(1)
      } days, need 50 over ${MIN_CHURN_DAYS} up to now)`;
    } else if (await notReady()) {
      done.churn = `waiting: ${await notReady()}`;
    } else {
      try {
        const t = await train("churn", { now, trainedBy: who });
        const p = await promote(sql, "churn", t.version, { actor: who });
        done.churn = { version: t.version, promoted: p.promoted, reason: p.reason };
        if (p.promoted) done.churnRun = await runChurn(sql, now);
      } catch (e) {
        if (e instanceof TrainingStopped) throw e;
        done.churn = `not trained: ${(e as Error).message}`;
      }
    }
  }

  // This job runs every minute: only existence checks until there is something to do, and the
  // days of SKU history (an index probe per day) only then.
  const [inv] = await sql`select exists(select 1 from inventory) as inv,
                                 exists(select 1 from stock_risk) as risk`;
  const trainDemand = inv.inv && !(await activeVersion(sql, "demand")) &&
    !(await recentlyTried(sql, "demand", now));
  if ((trainDemand || (inv.inv && !inv.risk)) && (await skuHistoryDays(sql, now)) >= 7) {
    // Stock risk is written with the default policy at once; the first version is trained (and
    // the rows rewritten) once the history is complete, even when default rows already exist.
    let promoted = false;
    if (trainDemand) {
      const why = await notReady();
      if (why) {
        done.demandTrain = `waiting: ${why}`;
      } else {
        try {
          const t = await train("demand", { now, trainedBy: who });
          const p = await promote(sql, "demand", t.version, { actor: who });
          promoted = p.promoted;
          done.demandTrain = { version: t.version, promoted: p.promoted, reason: p.reason };
        } catch (e) {
          if (e instanceof TrainingStopped) throw e;
          done.demandTrain = `not trained: ${(e as Error).message}`;
        }
      }
    }
    if (!inv.risk || promoted) done.demandRun = await runDemand(sql, now);
  }
  // Only reasons for waiting (strings): nothing was trained or run this minute.
  if (Object.values(done).every((v) => typeof v === "string")) {
    return {
      skipped: Object.keys(done).length ? "waiting for history" : "all models present",
      ...done,
    };
  }
  return done;
}
