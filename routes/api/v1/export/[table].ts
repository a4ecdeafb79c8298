/**
 * GET /api/v1/export/<name>.csv: any dashboard table or chart as CSV (lib/dashboard/exports.ts
 * lists the names), with the page's parameters, e.g. /api/v1/export/sales.csv?store_id=S001
 * &interval=hour&from=2026-01-05T00:00:00Z&to=2026-01-05T23:00:00Z.
 */
import type { Handlers } from "../../../../lib/web/types.ts";
import { exportTable } from "../../../../lib/dashboard/exports.ts";
import { toCsv } from "../../../../lib/dashboard/csv.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    const name = ctx.params.table.replace(/\.csv$/, "");
    const table = await exportTable(ctx.state.rt, name, ctx.url.searchParams);
    const scope = ctx.url.searchParams.get("store_id") || "chain";
    const file = `tillstream-${name}-${scope.replace(/[^A-Za-z0-9_.-]/g, "_")}.csv`;
    return new Response(toCsv(table), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${file}"`,
        "cache-control": "no-store",
      },
    });
  },
};
