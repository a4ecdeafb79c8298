/** System status: which services the app is connected to and whether they are ready. */
import type { Handlers, PageProps } from "../lib/web/types.ts";
import { type Readiness, readiness } from "../lib/health.ts";
import { redactUrl } from "../lib/url.ts";
import ReadinessBadge from "../islands/ReadinessBadge.tsx";

interface Data {
  report: Readiness;
  postgres: string;
  redis: string;
}

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    const rt = ctx.state.rt;
    ctx.state.title = "Status";
    return ctx.render({
      report: await readiness(rt),
      postgres: redactUrl(rt.config.DATABASE_URL),
      redis: redactUrl(rt.config.REDIS_URL),
    });
  },
};

export default function Status({ data }: PageProps<Data>) {
  const { report } = data;
  return (
    <>
      <h1>System status</h1>
      <ReadinessBadge ready={report.ready} />
      <div class="table-wrap">
        <table class="grid">
          <thead>
            <tr>
              <th>Service</th>
              <th>Address</th>
              <th>State</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>PostgreSQL</td>
              <td>
                <code>{data.postgres}</code>
              </td>
              <td class={report.postgres.ok ? "ok" : "bad"}>
                {report.postgres.ok ? "connected" : "down"}
              </td>
              <td>
                {report.postgres.error ??
                  `${report.postgres.migrations?.applied} migrations applied, ${report.postgres.latency_ms} ms`}
              </td>
            </tr>
            <tr>
              <td>Redis</td>
              <td>
                <code>{data.redis}</code>
              </td>
              <td class={report.redis.ok ? "ok" : "bad"}>
                {report.redis.ok ? "connected" : "down"}
              </td>
              <td>
                {report.redis.error ??
                  (report.redis.timeseries
                    ? "RedisTimeSeries module present"
                    : "no TimeSeries module: aggregates kept in core Redis structures")}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      <p>
        Machine-readable: <a href="/readyz">/readyz</a> · <a href="/healthz">/healthz</a>
      </p>
    </>
  );
}
