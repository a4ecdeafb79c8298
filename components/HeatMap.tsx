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
/** Width of one label character in map units (11-unit system font). */
const LABEL_CHAR = 6.4;

/**
 * Fences around the bulk of the values (quartiles ± 1.5 IQR): a store outside them (Honolulu
 * and Anchorage for a mainland chain) is left out of the fit and drawn at the frame's edge
 * instead, so a few outliers do not shrink everyone else into a corner.
 */
export function bulkBounds(values: number[]): [number, number] {
  const v = [...values].sort((a, b) => a - b);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * (v.length - 1)))];
  const [q1, q3] = [q(0.25), q(0.75)];
  const reach = Math.max(1.5 * (q3 - q1), 2);
  return [q1 - reach, q3 + reach];
}

/** Projects lat/lon into the box fitted around the bulk of `points`. */
export function projector(points: { lat: number; lon: number }[]) {
  const [fLat0, fLat1] = bulkBounds(points.map((p) => p.lat));
  const [fLon0, fLon1] = bulkBounds(points.map((p) => p.lon));
  const bulk = points.filter((p) =>
    p.lat >= fLat0 && p.lat <= fLat1 && p.lon >= fLon0 && p.lon <= fLon1
  );
  const fit = bulk.length ? bulk : points;
  let [minLat, maxLat] = [Math.min(...fit.map((p) => p.lat)), Math.max(...fit.map((p) => p.lat))];
  let [minLon, maxLon] = [Math.min(...fit.map((p) => p.lon)), Math.max(...fit.map((p) => p.lon))];
  // A single store (or stores in one spot) still gets a sensible frame.
  if (maxLat - minLat < 1) [minLat, maxLat] = [minLat - 0.5, maxLat + 0.5];
  if (maxLon - minLon < 1) [minLon, maxLon] = [minLon - 0.5, maxLon + 0.5];
  const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  const sx = (W - 2 * PAD) / ((maxLon - minLon) * k);
  const sy = (H - 2 * PAD) / (maxLat - minLat);
  const s = Math.min(sx, sy);
  const ox = (W - (maxLon - minLon) * k * s) / 2;
  const oy = (H - (maxLat - minLat) * s) / 2;
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  return {
    x: (lon: number) => clamp(ox + (lon - minLon) * k * s, PAD / 2, W - PAD / 2),
    y: (lat: number) => clamp(H - oy - (lat - minLat) * s, PAD / 2, H - PAD / 2),
    inside: (lat: number, lon: number) =>
      lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon,
    bounds: { minLat, maxLat, minLon, maxLon },
  };
}

/** Greedy label placement: a label is drawn only where it overlaps no earlier one. */
function labelFits(boxes: number[][], box: number[]): boolean {
  for (const b of boxes) {
    if (box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]) return false;
  }
  boxes.push(box);
  return true;
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
  // Small stores are drawn last so big circles never hide them; labels go to the biggest first.
  const order = [...placed].sort((a, b) => b.sales_cents - a.sales_cents);
  const boxes: number[][] = [];
  const labelled = new Set<string>();
  for (const s of order) {
    const r = 6 + 22 * Math.sqrt(s.sales_cents / max);
    const x = proj.x(s.lon) + r + 3;
    const y = proj.y(s.lat);
    const w = s.name.length * LABEL_CHAR;
    const box = x + w > W
      ? [x - 2 * r - 6 - w, y - 8, x - 2 * r - 6, y + 6]
      : [x, y - 8, x + w, y + 6];
    if (labelFits(boxes, box)) labelled.add(s.store_id);
  }
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
          const flip = x + r + 3 + s.name.length * LABEL_CHAR > W;
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
                stroke-dasharray={proj.inside(s.lat, s.lon) ? undefined : "3 2"}
              />
              {labelled.has(s.store_id) && (
                <text
                  x={(flip ? x - r - 3 : x + r + 3).toFixed(1)}
                  y={(y + 4).toFixed(1)}
                  text-anchor={flip ? "end" : "start"}
                >
                  {s.name}
                </text>
              )}
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
        <span>dashed: off the map, shown at its edge</span>
      </p>
      {unplaced.length > 0 && (
        <p class="muted note">
          Not on the map (no coordinates): {unplaced.map((s) => s.name).join(", ")}
        </p>
      )}
    </div>
  );
}
