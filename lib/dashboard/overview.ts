/**
 * Everything the overview page shows, for the chain or one store, loaded concurrently. The
 * store page reuses it and adds its own blocks (lib/dashboard/store_detail.ts).
 */
import type { Runtime } from "../runtime.ts";
import { type Readiness, readiness } from "../health.ts";
import { type DashScope, loadDashScope } from "./scope.ts";
import { type KpiBlock, loadKpis } from "./kpis.ts";
import {
  type AlertItem,
  type Freshness,
  freshness,
  productsToday,
  type ProductToday,
  recentAlerts,
  recentReceipts,
  storesToday,
  type StoreToday,
  type TickerReceipt,
  type Velocity,
  velocity,
} from "./lists.ts";
import { type ChartData, lastTwoHours, todayHourly } from "./charts.ts";
import { dateIn } from "./format.ts";
import { readSimulatorState, type SimulatorState } from "../../ingest/simulator/state.ts";

/** The overview's data. */
export interface Overview {
  scope: DashScope;
  now: number;
  /** Today's local date in the scope's zone, and its day bucket (Date.UTC of it). */
  today: string;
  day_bucket: number;
  kpis: KpiBlock;
  receipts: TickerReceipt[];
  minutes: ChartData;
  hourly: ChartData;
  stores: StoreToday[];
  products: ProductToday[];
  velocity: Velocity[];
  alerts: AlertItem[] | null;
  freshness: Freshness;
  health: Readiness;
  /** True when no receipt was ever recorded (the empty state explains what to do). */
  empty: boolean;
  /** What the demo simulator is doing, if one runs. */
  simulator: SimulatorState | null;
}

/** Loads the overview of the chain (`"*"`) or one store. */
export async function loadOverview(rt: Runtime, storeId = "*"): Promise<Overview> {
  const now = rt.clock.now();
  const scope = await loadDashScope(rt.sql, storeId);
  const today = dateIn(now, scope.timezone);
  const [kpis, receipts, minutes, hourly, stores, products, vel, alerts, fresh, health, sim] =
    await Promise.all([
      loadKpis(rt.sql, scope, now),
      recentReceipts(rt.sql, scope, now),
      lastTwoHours(rt, scope.store_id, now),
      todayHourly(rt, scope.store_id, scope.timezone, now),
      storesToday(rt.sql, scope, now),
      productsToday(rt.sql, scope, now, { limit: 8 }),
      velocity(rt.sql, scope, now),
      recentAlerts(rt.sql, scope),
      freshness(rt, now, scope.store_id),
      readiness(rt),
      readSimulatorState(rt),
    ]);
  return {
    scope,
    now,
    today,
    day_bucket: Date.parse(`${today}T00:00:00Z`),
    kpis,
    receipts,
    minutes,
    hourly,
    stores,
    products,
    velocity: vel,
    alerts,
    freshness: fresh,
    health,
    empty: fresh.newest_event === null && receipts.length === 0,
    simulator: sim,
  };
}
