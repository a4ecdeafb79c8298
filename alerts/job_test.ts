import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { runJobOnce } from "../scheduler/scheduler.ts";
import { alertsJob } from "./job.ts";
import { seedStores } from "./test_receivers.ts";

Deno.test("alerts job - the scheduler job loads the provisioning file and evaluates", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/alerts.yaml`;
  await Deno.writeTextFile(
    file,
    `rules:
  - id: sales-low
    name: Sales low
    type: threshold
    params: { metric: sales, op: below, value: 1000, only_open: false }
`,
  );
  await using rt = await testRuntime("alerts_job", { env: { TILLSTREAM_ALERTS_FILE: file } });
  await seedStores(rt.sql, 2);
  const ac = new AbortController();
  try {
    const outcome = await runJobOnce(rt, alertsJob, Date.now(), { signal: ac.signal });
    assert.equal(outcome, "ok");
    const alerts = await rt.sql`select scope_key, state from alerts order by scope_key`;
    assert.deepEqual(alerts.map((a) => [a.scope_key, a.state]), [["S01", "firing"], [
      "S02",
      "firing",
    ]]);
    const [run] = await rt.sql`select status, details from job_runs where job = 'alerts'`;
    assert.equal(run.details.rules, 1);
    const [vapid] = await rt.sql`select value from app_secrets where name = 'vapid'`;
    assert.ok(vapid.value.publicKey, "VAPID keys generated at first start");
  } finally {
    ac.abort();
    await Deno.remove(dir, { recursive: true });
  }
});
