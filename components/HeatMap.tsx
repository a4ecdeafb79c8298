/**
 * The stores on a map drawn from their latitude and longitude alone (no tile server): an
 * equirectangular projection fitted to the stores, a graticule, one circle per store sized by
 * today's sales and coloured by sales against the same time last week. Each circle links to the
 * store's page. Pure SVG with presentation attributes, so it needs no script and no inline CSS.
 */
import type { StoreToday } from "../lib/dashboard/lists.ts";
import { change, money, pct } from "../lib/dashboard/format.ts";

/** Colour bucket of a change against last week. */
export function paceColour(p: number | null): { fill: string; cls: string } {
  if (p === null) return { fill: "#cbd5e1", cls: "c-none" };
  if (p <= -20) return { fill: "#dc2626", cls: "c-down2" };
  if (p <= -5) return { fill: "#f97316", cls: "c-down1" };
  if (p < 5) return { fill: "#a3a3a3", cls: "c-flat" };
  if (p < 20) return { fill: "#22c55e", cls: "c-up1" };
  return { fill: "#15803d", cls: "c-up2" };
}

const W = 800;
const H = 440;
const PAD = 40;

/** Projects lat/lon into the box fitted around `points`. */
export function projector(points: { lat: number; lon: number }[]) {
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  let [minLat, maxLat] = [Math.min(...lats), Math.max(...lats)];
  let [minLon, maxLon] = [Math.min(...lons), Math.max(...lons)];
  // A single store (or stores in one spot) still gets a sensible frame.
  if (maxLat - minLat < 1) [minLat, maxLat] = [minLat - 0.5, maxLat + 0.5];
  if (maxLon - minLon < 1) [minLon, maxLon] = [minLon - 0.5, maxLon + 0.5];
  const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  const sx = (W - 2 * PAD) / ((maxLon - minLon) * k);
  const sy = (H - 2 * PAD) / (maxLat - minLat);
  const s = Math.min(sx, sy);
  const ox = (W - (maxLon - minLon) * k * s) / 2;
  const oy = (H - (maxLat - minLat) * s) / 2;
  return {
    x: (lon: number) => ox + (lon - minLon) * k * s,
    y: (lat: number) => H - oy - (lat - minLat) * s,
    bounds: { minLat, maxLat, minLon, maxLon },
  };
}

/** The map; stores without coordinates are listed under it. */
export function HeatMap({ stores }: { stores: StoreToday[] }) {
  const placed = stores.filter((s) =>
    s.lat !== null && s.lon !== null
  ) as (StoreToday & { lat: number; lon: number })[];
  const unplaced = stores.filter((s) => s.lat === null || s.lon === null);
  if (!placed.length) {
    return (
      <p class="empty">
        No store has coordinates yet. Add them with{" "}
        <code>deno task stores add --id S001 --lat 40.75 --lon -73.98 --upsert …</code>{" "}
        to see the map.
      </p>
    );
  }
  const proj = projector(placed);
  const max = Math.max(1, ...placed.map((s) => s.sales_cents));
  const { minLat, maxLat, minLon, maxLon } = proj.bounds;
  const step = Math.max(1, Math.ceil(Math.max(maxLat - minLat, maxLon - minLon) / 8));
  const lines = [];
  for (let lat = Math.ceil(minLat - 5); lat <= maxLat + 5; lat += step) {
    lines.push(<line class="grid-line" x1="0" x2={W} y1={proj.y(lat)} y2={proj.y(lat)} />);
  }
  for (let lon = Math.ceil(minLon - 10); lon <= maxLon + 10; lon += step) {
    lines.push(<line class="grid-line" y1="0" y2={H} x1={proj.x(lon)} x2={proj.x(lon)} />);
  }
  // Small stores are drawn last so big circles never hide them.
  const order = [...placed].sort((a, b) => b.sales_cents - a.sales_cents);
  return (
    <div class="heatmap" id="heatmap">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label="Stores by location: size is sales today, colour is the change against last week"
      >
        {lines}
        {order.map((s) => {
          const p = change(s.sales_cents, s.last_week_cents);
          const r = 6 + 22 * Math.sqrt(s.sales_cents / max);
          const x = proj.x(s.lon);
          const y = proj.y(s.lat);
          return (
            <a href={`/stores/${encodeURIComponent(s.store_id)}`} data-store={s.store_id}>
              <title>
                {`${s.name}: ${money(s.sales_cents, s.currency)} today, ${pct(p)} vs last week`}
              </title>
              <circle
                cx={x.toFixed(1)}
                cy={y.toFixed(1)}
                r={r.toFixed(1)}
                fill={paceColour(p).fill}
                fill-opacity="0.85"
              />
              <text x={(x + r + 3).toFixed(1)} y={(y + 4).toFixed(1)}>{s.name}</text>
            </a>
          );
        })}
      </svg>
      <p class="legend-scale">
        <span class="c-down2">−20% or worse</span>
        <span class="c-down1">−5 to −20%</span>
        <span class="c-flat">±5%</span>
        <span class="c-up1">+5 to +20%</span>
        <span class="c-up2">+20% or better</span>
        <span class="c-none">no sales last week</span>
        <span>circle size: sales today</span>
      </p>
      {unplaced.length > 0 && (
        <p class="muted note">
          Not on the map (no coordinates): {unplaced.map((s) => s.name).join(", ")}
        </p>
      )}
    </div>
  );
}
