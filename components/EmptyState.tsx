/** What an empty dashboard says: no data yet, and how to get some. */
import type { SimulatorState } from "../ingest/simulator/state.ts";

/** A banner while the demo simulator backfills history (figures for today come after). */
export function Backfilling({ state }: { state: SimulatorState }) {
  const pct = state.total ? Math.floor((100 * (state.done ?? 0)) / state.total) : 0;
  return (
    <section class="card empty-state" id="backfill-state">
      <h2>Loading demo history: {pct}%</h2>
      <p>
        The simulator is backfilling {Math.round((state.total ?? 0) / 24)}{" "}
        days of receipts for its stores ({state.done ?? 0} of {state.total}{" "}
        hours sent). Today's figures start when it goes live; forecasts train as soon as enough
        history is in. Reload to see progress.
      </p>
    </section>
  );
}

/** The "no data yet" message with the ways to feed the pipeline. */
export function NoData(
  { stores, simulator }: { stores: number; simulator: SimulatorState | null },
) {
  if (simulator?.phase === "backfill") return <Backfilling state={simulator} />;
  return (
    <section class="card empty-state" id="empty-state">
      <h2>No sales data yet</h2>
      {stores === 0
        ? (
          <p>
            There are no stores yet. Add one with{" "}
            <code>deno task stores add --id S001 --name "Main St" --timezone Europe/London</code>,
            or start the simulator, which creates its own stores.
          </p>
        )
        : (
          <p>
            {stores} store{stores === 1 ? " is" : "s are"} registered, but no receipt has arrived.
          </p>
        )}
      {simulator?.phase === "live"
        ? <p>The simulator is running live; its first receipts appear here within a second.</p>
        : (
          <p>
            No simulator is running. Start one with{" "}
            <code>TILLSTREAM_SIMULATOR=on deno task start</code> or{" "}
            <code>deno task simulate</code>, send receipts to{" "}
            <code>POST /api/v1/events</code>, or import a CSV. Figures appear here within a second.
          </p>
        )}
    </section>
  );
}
