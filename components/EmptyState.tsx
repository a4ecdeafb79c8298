/** What an empty dashboard says: no data yet, and how to get some. */

/** The "no data yet" message with the ways to feed the pipeline. */
export function NoData({ stores }: { stores: number }) {
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
      <p>
        The simulator is off. Start it with <code>TILLSTREAM_SIMULATOR=on deno task start</code> or
        {" "}
        <code>deno task simulate</code>, send receipts to{" "}
        <code>POST /api/v1/events</code>, or import a CSV. Figures appear here within a second.
      </p>
    </section>
  );
}
