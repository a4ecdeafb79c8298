/**
 * `/models`: every model's versions with their backtest score against the baseline, the
 * registry's recent promotions/refusals/rollbacks, and the scheduler's recent job runs.
 */
import type { Handlers, PageProps } from "../lib/web/types.ts";
import { Panel } from "../components/Panel.tsx";
import { missingVersionNote, modelsOverview } from "../models/pages.ts";
import { MODEL_NAMES } from "../models/registry.ts";
import type { JobRun } from "../scheduler/runs.ts";
import { timezoneFor } from "../lib/dashboard/scope.ts";
import { dateTime, describeDetails, shortDate } from "../lib/dashboard/format.ts";

type Data = Awaited<ReturnType<typeof modelsOverview>> & { timezone: string };

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    ctx.state.title = "Models";
    const sql = ctx.state.rt.sql;
    const [overview, timezone] = await Promise.all([modelsOverview(sql), timezoneFor(sql, null)]);
    return ctx.render({ ...overview, timezone });
  },
};

const n = (x: unknown) => typeof x === "number" ? Number(x.toFixed(4)).toString() : "–";
/** A training data range: "6 Nov – 4 Dec 2026" (the year once when both ends share it). */
const span = (from: Date | null, to: Date | null) =>
  from && to
    ? `${shortDate(+from, "UTC", from.getUTCFullYear() !== to.getUTCFullYear())} – ${
      shortDate(+to, "UTC", true)
    }`
    : "–";
/** A time in the chain's zone ("Fri 4 Dec, 13:54"), kept on one line. */
const When = ({ at, tz }: { at: Date | null; tz: string }) => (
  <td class="nowrap">{at ? dateTime(at.getTime(), tz) : "–"}</td>
);

export default function ModelsPage({ data }: PageProps<Data>) {
  const { byName, events, latest, runs, timezone } = data;
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Models</h1>
          <p class="sub">
            Versions, their backtest against the baseline, promotions and scheduled job runs. Train
            and promote with <code>deno task models</code>. Times in {timezone}.
          </p>
        </div>
      </div>
      <div class="cols cols-2">
        {MODEL_NAMES.map((name) => {
          const versions = byName.get(name) ?? [];
          return (
            <Panel
              title={name}
              id={`model-${name}`}
              empty={versions.length ? false : missingVersionNote(name)}
            >
              <div class="table-wrap">
                <table class="grid compact">
                  <thead>
                    <tr>
                      <th>Version</th>
                      <th>Status</th>
                      <th class="num">Score</th>
                      <th class="num">Baseline</th>
                      <th class="hide-sm">Data</th>
                      <th class="hide-sm">Trained by</th>
                    </tr>
                  </thead>
                  <tbody>
                    {versions.slice(0, 8).map((v) => (
                      <tr data-status={v.status}>
                        <td>{v.version}</td>
                        <td>{v.status === "active" ? <b>active</b> : v.status}</td>
                        <td class="num">{v.metrics.score?.name} {n(v.metrics.score?.value)}</td>
                        <td class="num">
                          {v.metrics.baseline?.name} {n(v.metrics.baseline?.value)}
                        </td>
                        <td class="hide-sm">
                          {span(v.dataFrom, v.dataTo)}
                        </td>
                        <td class="hide-sm">{v.trainedBy}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Panel>
          );
        })}
      </div>
      <Panel title="Registry events" id="model-events" empty={events.length ? false : "None yet."}>
        <div class="table-wrap">
          <table class="grid compact stack-sm">
            <thead>
              <tr>
                <th>When</th>
                <th>Model</th>
                <th>Action</th>
                <th>By</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr>
                  <When at={e.at} tz={timezone} />
                  <td>{e.name}@{e.version ?? "–"}</td>
                  <td>{e.action}</td>
                  <td data-label="by">{e.actor}</td>
                  <td class="why">{e.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel
        title="Jobs: last run of each"
        id="job-latest"
        empty={latest.length ? false : "The scheduler has not run yet."}
      >
        <RunTable runs={latest} timezone={timezone} />
      </Panel>
      <Panel
        title="Recent job runs (skipped ones left out)"
        id="job-runs"
        empty={runs.length ? false : "No job has done any work yet."}
      >
        <RunTable runs={runs} timezone={timezone} />
      </Panel>
    </>
  );
}

/** Job runs: when, which job, how it ended, how long, what it did or why it failed. */
function RunTable({ runs, timezone }: { runs: JobRun[]; timezone: string }) {
  return (
    <div class="table-wrap">
      <table class="grid compact">
        <thead>
          <tr>
            <th>Started</th>
            <th>Job</th>
            <th>Status</th>
            <th class="num">Seconds</th>
            <th>Details / error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr data-status={r.status}>
              <When at={r.startedAt} tz={timezone} />
              <td>{r.job}</td>
              <td class={r.status === "error" ? "bad" : undefined}>{r.status}</td>
              <td class="num">
                {r.finishedAt
                  ? ((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)
                  : "…"}
              </td>
              <td title={r.error ? undefined : JSON.stringify(r.details)}>
                {r.error ?? (typeof r.details.skipped === "string"
                  ? `skipped: ${r.details.skipped}`
                  : describeDetails(r.details))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
