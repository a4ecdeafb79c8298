/**
 * A sales time chart (uPlot) with drill-down: drag across it to zoom, and it re-queries
 * GET /api/v1/sales at a finer interval for the selected range (day → hour → minute); "Back"
 * returns to the previous range. A date-range picker sets any range. The grey dashed line is
 * the comparison period (same time last week for ranges up to a week, else the previous
 * period). With `live`, buckets from live updates replace or extend the series.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { currencyDigits, dateIn, dateMidnight, money } from "../lib/dashboard/format.ts";
import { onUpdate } from "./live_client.ts";

type Interval = "minute" | "hour" | "day";

/** Columnar chart data (lib/dashboard/charts.ts ChartData). */
interface ChartData {
  interval: Interval;
  from: number;
  to: number;
  xs: number[];
  sales: (number | null)[];
  compare: (number | null)[];
  band?: { p10: (number | null)[]; p50: (number | null)[]; p90: (number | null)[] };
}

interface Props {
  /** DOM id of the chart block (tests, CSV link). */
  id: string;
  title: string;
  store_id: string;
  currency: string;
  timezone: string;
  initial: ChartData;
  /** Follow live buckets of this resolution while not zoomed. */
  live?: Interval;
  /** Keep the newest N buckets when following live (a sliding window). */
  window?: number;
  height?: number;
}

const STEP: Record<Interval, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const WEEK = 7 * 86_400_000;

/** The finest interval that keeps a range under a few hundred buckets. */
export function intervalFor(span: number): Interval {
  if (span <= 6 * 3_600_000) return "minute";
  if (span <= 8 * 86_400_000) return "hour";
  return "day";
}

function param(ms: number, interval: Interval): string {
  return interval === "day" ? new Date(ms).toISOString().slice(0, 10) : new Date(ms).toISOString();
}

async function fetchSeries(
  p: Pick<Props, "store_id" | "currency">,
  interval: Interval,
  from: number,
  to: number,
): Promise<{ xs: number[]; sales: number[] }> {
  const q = new URLSearchParams({
    store_id: p.store_id,
    interval,
    from: param(from, interval),
    to: param(to, interval),
  });
  const res = await fetch(`/api/v1/sales?${q}`, { headers: { accept: "application/json" } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error ?? `the sales API answered ${res.status}`);
  const scale = 10 ** currencyDigits(p.currency);
  const rows = body as { bucket: string; sales: string }[];
  return {
    xs: rows.map((r) =>
      r.bucket.length === 10 ? Date.parse(`${r.bucket}T00:00:00Z`) : Date.parse(r.bucket)
    ),
    sales: rows.map((r) => Math.round(Number(r.sales) * scale)),
  };
}

/** Loads a range and its comparison period at `interval`. */
export async function loadRange(
  p: Pick<Props, "store_id" | "currency">,
  interval: Interval,
  from: number,
  to: number,
): Promise<ChartData> {
  const step = STEP[interval];
  const a = Math.floor(from / step) * step;
  const b = Math.floor(to / step) * step;
  const span = b - a + step;
  const shift = span <= WEEK ? WEEK : span;
  const [now, before] = await Promise.all([
    fetchSeries(p, interval, a, b),
    fetchSeries(p, interval, a - shift, b - shift),
  ]);
  return { interval, from: a, to: b, xs: now.xs, sales: now.sales, compare: before.sales };
}

function toAligned(d: ChartData): uPlot.AlignedData {
  const cols: (number | null)[][] = [d.sales, d.compare];
  if (d.band) cols.push(d.band.p10, d.band.p50, d.band.p90);
  return [d.xs, ...cols] as uPlot.AlignedData;
}

/** One end of the range form: a labelled date input bound to a day string (YYYY-MM-DD). */
function DayField(
  { label, value, set }: { label: string; value: string; set: (day: string) => void },
) {
  return (
    <label>
      {label} <input type="date" value={value} onInput={(e) => set(e.currentTarget.value)} />
    </label>
  );
}

export default function Chart(props: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [data, setData] = useState<ChartData>(props.initial);
  const [history, setHistory] = useState<ChartData[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fromDay, setFromDay] = useState(dateIn(props.initial.from, props.timezone));
  const [toDay, setToDay] = useState(dateIn(props.initial.to, props.timezone));
  const dataRef = useRef(data);
  dataRef.current = data;
  const zoomedRef = useRef(false);
  zoomedRef.current = history.length > 0;

  const go = async (from: number, to: number, interval = intervalFor(to - from)) => {
    setBusy(true);
    setError(null);
    try {
      const next = await loadRange(props, interval, from, to);
      setHistory((h) => [...h, dataRef.current]);
      setData(next);
    } catch (e) {
      setError(`Could not load ${interval} sales: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const span = data.to - data.from + STEP[data.interval];
  const compareLabel = span <= WEEK ? "Same time last week" : "Previous period";
  const goRef = useRef(go);
  goRef.current = go;

  useEffect(() => {
    const el = box.current!;
    const tz = data.interval === "day" ? "UTC" : props.timezone;
    const fmt = (v: number | null) => v === null ? "–" : money(v, props.currency);
    const series: uPlot.Series[] = [
      {},
      {
        label: "Sales",
        stroke: "#0f766e",
        fill: "rgba(15,118,110,0.10)",
        width: 2,
        value: (_u, v) => fmt(v),
      },
      {
        label: compareLabel,
        stroke: "#94a3b8",
        dash: [5, 4],
        width: 1.5,
        value: (_u, v) => fmt(v),
      },
    ];
    if (data.band) {
      series.push(
        {
          label: "Forecast p10",
          stroke: "rgba(180,83,9,0.35)",
          width: 1,
          value: (_u, v) => fmt(v),
        },
        { label: "Forecast", stroke: "#b45309", dash: [2, 3], width: 1, value: (_u, v) => fmt(v) },
        {
          label: "Forecast p90",
          stroke: "rgba(180,83,9,0.35)",
          width: 1,
          value: (_u, v) => fmt(v),
        },
      );
    }
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: props.height ?? 220,
      ms: 1,
      tzDate: (ts) => uPlot.tzDate(new Date(ts), tz),
      series,
      bands: data.band ? [{ series: [5, 3], fill: "rgba(180,83,9,0.10)" }] : undefined,
      cursor: { drag: { x: true, y: false, setScale: false } },
      legend: { live: true },
      axes: [
        {},
        {
          size: 64,
          values: (_u, splits) => splits.map((v) => money(v, props.currency, { compact: true })),
        },
      ],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 4) return;
          const a = u.posToVal(u.select.left, "x");
          const b = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          const span = b - a;
          const cur = dataRef.current.interval;
          // Always go one step finer than now, so a zoom is a drill-down.
          const finer: Interval = cur === "day" ? "hour" : "minute";
          const pick = intervalFor(span);
          const interval = STEP[pick] < STEP[finer] ? pick : finer;
          goRef.current(a, b, interval);
        }],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, toAligned(data), el);
    const ro = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(280, el.clientWidth), height: props.height ?? 220 });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
    };
  }, [data.interval, data.band ? 1 : 0, compareLabel]);

  useEffect(() => {
    plot.current?.setData(toAligned(data));
  }, [data]);

  useEffect(() => {
    if (!props.live) return;
    return onUpdate((u) => {
      if (zoomedRef.current) return;
      const mine = (u.buckets ?? []).filter((b) =>
        b.resolution === props.live && b.store_id === props.store_id && b.category === "*"
      );
      if (!mine.length) return;
      setData((d) => {
        const xs = d.xs.slice();
        const sales = d.sales.slice();
        const compare = d.compare.slice();
        for (const b of mine) {
          const i = xs.indexOf(b.bucket);
          if (i >= 0) sales[i] = b.sales_cents;
          else if (!xs.length || b.bucket > xs[xs.length - 1]) {
            const step = STEP[d.interval];
            for (let x = (xs[xs.length - 1] ?? b.bucket - step) + step; x <= b.bucket; x += step) {
              xs.push(x);
              sales.push(x === b.bucket ? b.sales_cents : 0);
              compare.push(null);
            }
          }
        }
        const drop = props.window ? Math.max(0, xs.length - props.window) : 0;
        return {
          ...d,
          xs: xs.slice(drop),
          sales: sales.slice(drop),
          compare: compare.slice(drop),
          to: xs[xs.length - 1],
          from: xs[drop],
        };
      });
    });
  }, [props.live, props.store_id]);

  const exportHref = `/api/v1/export/sales.csv?${new URLSearchParams({
    store_id: props.store_id,
    interval: data.interval,
    from: param(data.from, data.interval),
    to: param(data.to, data.interval),
  })}`;

  return (
    <div class="chart" id={props.id} data-interval={data.interval} data-busy={busy ? "1" : "0"}>
      <div class="chart-head">
        <h3>{props.title}</h3>
        <span class="muted">
          {data.interval === "minute"
            ? "per minute"
            : data.interval === "hour"
            ? "per hour"
            : "per day"}
          {" · drag to zoom"}
        </span>
        <div class="chart-tools">
          {history.length > 0 && (
            <button
              type="button"
              class="back"
              onClick={() => {
                const prev = history[history.length - 1];
                setHistory(history.slice(0, -1));
                setData(prev);
              }}
            >
              ← Back
            </button>
          )}
          <a class="button" href={exportHref} download>CSV</a>
        </div>
      </div>
      <form
        class="range"
        onSubmit={(e) => {
          e.preventDefault();
          const a = dateMidnight(fromDay, props.timezone);
          const b = dateMidnight(toDay, props.timezone) + 86_400_000 - 1;
          if (!(a < b)) {
            setError("The start date must be on or before the end date.");
            return;
          }
          const interval = intervalFor(b - a);
          // Day buckets are named by the local date itself (UTC midnight of it).
          if (interval === "day") {
            go(Date.parse(`${fromDay}T00:00:00Z`), Date.parse(`${toDay}T00:00:00Z`), "day");
          } else go(a, b, interval);
        }}
      >
        <DayField label="From" value={fromDay} set={setFromDay} />
        <DayField label="to" value={toDay} set={setToDay} />
        <button type="submit">Show</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="chart-plot" ref={box} />
    </div>
  );
}
