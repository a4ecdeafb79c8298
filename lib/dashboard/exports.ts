/**
 * Every table and chart of the dashboard as CSV, by name: GET /api/v1/export/<name>.csv with the
 * same parameters the page used (store_id, sku, interval, from, to). Each export calls the same
 * query function as the page, so a download always matches what was on screen.
 */
import type { Runtime } from "../runtime.ts";
import { HttpError } from "../web/errors.ts";
import { QueryError, querySales } from "../../pipeline/query.ts";
import { currencyDigits, dateIn } from "./format.ts";
import { decimal, type Table } from "./csv.ts";
import { type DashScope, loadDashScope } from "./scope.ts";
import { loadKpis } from "./kpis.ts";
import { productsToday, recentAlerts, recentReceipts, storesToday, velocity } from "./lists.ts";
import { categoriesToday, hourlyPattern, inventoryRisks, registersToday } from "./store_detail.ts";
import { productMatrix, skuTrend } from "./products.ts";
import { todayHourly } from "./charts.ts";

type Exporter = (rt: Runtime, scope: DashScope, q: URLSearchParams, now: number) => Promise<Table>;

const iso = (ms: number) => new Date(ms).toISOString();

function needStore(scope: DashScope, name: string): string {
  if (scope.store_id === "*") {
    throw new HttpError(400, `the ${name} export is per store: add ?store_id=S001`);
  }
  return scope.store_id;
}

/** The exports by name. */
export const EXPORTS: Record<string, Exporter> = {
  async sales(rt, _scope, q) {
    try {
      const { rows, currency } = await querySales(rt, q);
      return {
        columns: [
          "bucket",
          "sales",
          "transactions",
          "units",
          "avg_ticket",
          "refunds",
          "refund_amount",
          "currency",
        ],
        rows: rows.map((
          r,
        ) => [
          r.bucket,
          r.sales,
          r.transactions,
          r.units,
          r.avg_ticket,
          r.refunds,
          r.refund_amount,
          currency,
        ]),
      };
    } catch (e) {
      if (e instanceof QueryError) throw new HttpError(e.status, e.message);
      throw e;
    }
  },
  async kpis(rt, scope, _q, now) {
    const k = await loadKpis(rt.sql, scope, now);
    const d = currencyDigits(scope.currency);
    return {
      columns: ["kpi", "today", "same_time_last_week", "unit"],
      rows: k.kpis.map((x) => [
        x.key,
        x.money ? decimal(x.today, d) : x.today,
        x.money ? decimal(x.last_week, d) : x.last_week,
        x.money ? scope.currency : "count",
      ]),
    };
  },
  async stores(rt, scope, _q, now) {
    const rows = await storesToday(rt.sql, scope, now);
    return {
      columns: [
        "store_id",
        "name",
        "city",
        "sales_today",
        "same_time_last_week",
        "transactions",
        "open_alerts",
        "currency",
      ],
      rows: rows.map((s) => [
        s.store_id,
        s.name,
        s.city,
        decimal(s.sales_cents, currencyDigits(s.currency)),
        decimal(s.last_week_cents, currencyDigits(s.currency)),
        s.transactions,
        s.alerts,
        s.currency,
      ]),
    };
  },
  "top-products": (rt, scope, _q, now) => products(rt, scope, now, "top"),
  "bottom-products": (rt, scope, _q, now) => products(rt, scope, now, "bottom"),
  async velocity(rt, scope, _q, now) {
    const d = currencyDigits(scope.currency);
    const rows = await velocity(rt.sql, scope, now);
    return {
      columns: ["store_id", "name", "last_15_min", "expected", "basis"],
      rows: rows.map((v) => [
        v.store_id,
        v.name,
        decimal(v.last15_cents, d),
        v.expected_cents === null ? null : decimal(v.expected_cents, d),
        v.basis,
      ]),
    };
  },
  async receipts(rt, scope, _q, now) {
    const rows = await recentReceipts(rt.sql, scope, now, 100);
    return {
      columns: ["time", "store_id", "transaction_id", "type", "total", "items"],
      rows: rows.map((
        r,
      ) => [
        iso(r.ts),
        r.store_id,
        r.transaction_id,
        r.type,
        decimal(r.total_cents, currencyDigits(scope.currency)),
        r.items,
      ]),
    };
  },
  async alerts(rt, scope) {
    const rows = await recentAlerts(rt.sql, scope, 500) ?? [];
    return {
      columns: ["id", "at", "state", "severity", "stores", "summary"],
      rows: rows.map((
        a,
      ) => [a.id, iso(a.at), a.state, a.severity, a.store_ids.join(" "), a.summary]),
    };
  },
  async categories(rt, scope, _q, now) {
    const d = currencyDigits(scope.currency);
    const rows = await categoriesToday(rt.sql, scope.stores.map((s) => s.id), now);
    return {
      columns: ["category", "sales_today", "same_time_last_week", "units", "transactions"],
      rows: rows.map((
        c,
      ) => [
        c.category,
        decimal(c.sales_cents, d),
        decimal(c.last_week_cents, d),
        c.units,
        c.transactions,
      ]),
    };
  },
  async registers(rt, scope, _q, now) {
    const id = needStore(scope, "registers");
    const d = currencyDigits(scope.currency);
    const rows = await registersToday(rt.sql, id, scope.timezone, now);
    return {
      columns: ["register_id", "transactions", "sales", "refunds", "refund_amount", "last_receipt"],
      rows: rows.map((
        r,
      ) => [
        r.register_id,
        r.transactions,
        decimal(r.sales_cents, d),
        r.refunds,
        decimal(r.refund_cents, d),
        iso(r.last_at),
      ]),
    };
  },
  async "hourly-pattern"(rt, scope, _q, now) {
    const id = needStore(scope, "hourly-pattern");
    const d = currencyDigits(scope.currency);
    const p = await hourlyPattern(rt.sql, id, scope.timezone, now);
    return {
      columns: ["local_hour", "today", "typical_same_weekday"],
      rows: p.hours.map((
        h,
        i,
      ) => [h, p.today[i] === null ? null : decimal(p.today[i]!, d), decimal(p.typical[i], d)]),
    };
  },
  async "today-hourly"(rt, scope, _q, now) {
    const d = currencyDigits(scope.currency);
    const c = await todayHourly(rt, scope.store_id, scope.timezone, now);
    const m = (v: number | null | undefined) =>
      v === null || v === undefined ? null : decimal(v, d);
    return {
      columns: [
        "hour",
        "sales",
        "same_hour_last_week",
        "forecast_p10",
        "forecast_p50",
        "forecast_p90",
      ],
      rows: c.xs.map((
        x,
        i,
      ) => [
        iso(x),
        m(c.sales[i]),
        m(c.compare[i]),
        m(c.band?.p10[i]),
        m(c.band?.p50[i]),
        m(c.band?.p90[i]),
      ]),
    };
  },
  async matrix(rt, scope, _q, now) {
    const d = currencyDigits(scope.currency);
    const m = await productMatrix(rt.sql, scope.stores, now);
    const rows: Table["rows"] = [];
    for (const c of m.categories) {
      for (const s of m.stores) {
        const cell = m.cells[c][s.id];
        if (cell) {
          rows.push([c, s.id, decimal(cell.sales_cents, d), decimal(cell.last_week_cents, d)]);
        }
      }
    }
    return { columns: ["category", "store_id", "sales_today", "same_time_last_week"], rows };
  },
  async "sku-trend"(rt, scope, q, now) {
    const sku = q.get("sku");
    if (!sku) throw new HttpError(400, "the sku-trend export needs ?sku=, e.g. ?sku=SKU-1001");
    const d = currencyDigits(scope.currency);
    const t = await skuTrend(rt.sql, sku, scope.stores.map((s) => s.id), scope.timezone, now);
    return {
      columns: ["day", "sku", "units", "revenue"],
      rows: t.days.map((day, i) => [day, sku, t.units[i], decimal(t.revenue_cents[i], d)]),
    };
  },
  async inventory(rt, scope, _q, now) {
    const ids = scope.store_id === "*" ? undefined : [scope.store_id];
    const rows = await inventoryRisks(rt.sql, {
      storeIds: ids,
      limit: 10_000,
      today: dateIn(now, scope.timezone),
    });
    return {
      columns: [
        "store_id",
        "sku",
        "on_hand",
        "daily_demand",
        "days_of_cover",
        "stockout_date",
        "reorder_qty",
      ],
      rows: rows.map((
        r,
      ) => [
        r.store_id,
        r.sku,
        r.on_hand,
        r.daily_demand,
        r.days_of_cover,
        r.stockout_date,
        r.reorder_qty,
      ]),
    };
  },
};

async function products(rt: Runtime, scope: DashScope, now: number, order: "top" | "bottom") {
  const d = currencyDigits(scope.currency);
  const rows = await productsToday(rt.sql, scope, now, { order, limit: 100 });
  return {
    columns: ["sku", "category", "units", "revenue"],
    rows: rows.map((p) => [p.sku, p.category, p.units, decimal(p.revenue_cents, d)]),
  };
}

/** Runs the export `name` for the request's parameters. */
export async function exportTable(rt: Runtime, name: string, q: URLSearchParams): Promise<Table> {
  const fn = Object.hasOwn(EXPORTS, name) ? EXPORTS[name] : undefined;
  if (!fn) {
    throw new HttpError(
      404,
      `there is no export "${name}"; available: ${Object.keys(EXPORTS).join(", ")} ` +
        `(e.g. /api/v1/export/stores.csv)`,
    );
  }
  const scope = await loadDashScope(rt.sql, q.get("store_id") || "*");
  return await fn(rt, scope, q, rt.clock.now());
}
