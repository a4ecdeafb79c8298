import assert from "node:assert/strict";
import { sleep } from "./clock.ts";

Deno.test("sleep waits, ends early on abort, and leaves no listener on the signal", async () => {
  const ctl = new AbortController();
  const live = new Set<EventListenerOrEventListenerObject>();
  const add = ctl.signal.addEventListener.bind(ctl.signal);
  const remove = ctl.signal.removeEventListener.bind(ctl.signal);
  ctl.signal.addEventListener =
    ((type: string, fn: EventListenerOrEventListenerObject, o?: never) => {
      live.add(fn);
      add(type, fn, o);
    }) as typeof ctl.signal.addEventListener;
  ctl.signal.removeEventListener = ((type: string, fn: EventListenerOrEventListenerObject) => {
    live.delete(fn);
    remove(type, fn);
  }) as typeof ctl.signal.removeEventListener;

  const t0 = performance.now();
  for (let i = 0; i < 20; i++) await sleep(5, ctl.signal);
  assert.ok(performance.now() - t0 >= 95, "each sleep waits its time");
  assert.equal(live.size, 0, "a sleep that ran its time removes its abort listener");

  const long = sleep(60_000, ctl.signal);
  assert.equal(live.size, 1);
  ctl.abort();
  await long; // resolves at the abort, not after a minute
  assert.equal(live.size, 0);
  await sleep(60_000, ctl.signal); // an aborted signal: at once
});
