/**
 * `/models`: every model's versions with their backtest score against the baseline, the
 * registry's recent promotions/refusals/rollbacks, and the scheduler's recent job runs.
 */
import type { Handlers, PageProps } from "../lib/web/types.ts";
import { Panel } from "../components/Panel.tsx";
import { missingVersionNote, modelsOverview } from "../models/pages.ts";
import { MODEL_NAMES } from "../models/registry.ts";
import type { JobRun } from "../scheduler/runs.ts";

type Data = Awaited<ReturnType<typeof modelsOverview>>;

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    ctx.state.title = "Models";
    return ctx.render(await modelsOverview(ctx.state.rt.sql));
  },
};

const n = (x: unknown) => typeof x === "number" ? Number(x.toFixed(4)).toString() : "–";
const when = (d: Date | null) => d ? d.toISOString().slice(0, 16).replace("T", " ") : "–";

export default function ModelsPage({ data }: PageProps<Data>) {
  const { byName, events, latest, runs } = data;
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Models</h1>
          <p class="sub">
            Versions, their backtest against the baseline, promotions and scheduled job runs. Train
            and promote with <code>deno task models</code>.
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
                      <td class="num">{v.metrics.baseline?.name} {n(v.metrics.baseline?.value)}</td>
                      <td class="hide-sm">
                        {v.dataFrom ? v.dataFrom.toISOString().slice(0, 10) : "–"} …{" "}
                        {v.dataTo ? v.dataTo.toISOString().slice(0, 10) : "–"}
                      </td>
                      <td class="hide-sm">{v.trainedBy}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Panel>
          );
        })}
      </div>
      <Panel title="Registry events" id="model-events" empty={events.length ? false : "None yet."}>
        <table class="grid compact">
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
                <td>{when(e.at)}</td>
                <td>{e.name}@{e.version ?? "–"}</td>
                <td>{e.action}</td>
                <td>{e.actor}</td>
                <td>{e.reason ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      <Panel
        title="Jobs: last run of each"
        id="job-latest"
        empty={latest.length ? false : "The scheduler has not run yet."}
      >
        <RunTable runs={latest} />
      </Panel>
      <Panel
        title="Recent job runs (skipped ones left out)"
        id="job-runs"
        empty={runs.length ? false : "No job has done any work yet."}
      >
        <RunTable runs={runs} />
      </Panel>
    </>
  );
}

/** Job runs: when, which job, how it ended, how long, what it did or why it failed. */
function RunTable({ runs }: { runs: JobRun[] }) {
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
              <td>{when(r.startedAt)}</td>
              <td>{r.job}</td>
              <td class={r.status === "error" ? "bad" : undefined}>{r.status}</td>
              <td class="num">
                {r.finishedAt
                  ? ((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000).toFixed(1)
                  : "…"}
              </td>
              <td>
                {r.error ?? (typeof r.details.skipped === "string"
                  ? `skipped: ${r.details.skipped}`
                  : JSON.stringify(r.details).slice(0, 160))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
