import assert from "node:assert/strict";
import { testDb, testRuntime, waitFor } from "../lib/testing/services.ts";
import {
  applyProvisioning,
  parseProvisioning,
  ProvisioningError,
  watchProvisioning,
} from "./provisioning.ts";
import { getRule, listChannels, listRules } from "./rule_store.ts";

const GOOD = `# alerting as code
channels:
  - id: ops-hook
    name: Ops hook
    type: webhook
    config:
      url: \${HOOK_URL}
rules:
  - id: sales-drop
    name: Sales drop
    type: threshold
    params: { metric: sales, op: below, value: 10000, window_min: 30 }
    scope: { regions: [north] }
    for_s: 300
    channels: [ops-hook]
  - id: flags
    name: High anomalies
    type: anomaly
    params: { min_severity: high }
`;

const env = (n: string) => n === "HOOK_URL" ? "https://hooks.example.com/x" : undefined;

Deno.test("alerts provisioning - parses YAML with defaults and env substitution", () => {
  const p = parseProvisioning(GOOD, "alerts.yaml", env);
  assert.equal(p.channels[0].type, "webhook");
  assert.equal((p.channels[0].config as { url: string }).url, "https://hooks.example.com/x");
  assert.equal(p.rules.length, 2);
  assert.equal(p.rules[0].interval_s, 60);
  assert.equal(p.rules[0].for_s, 300);
  assert.deepEqual(p.rules[0].scope, { regions: ["north"] });
});

Deno.test("alerts provisioning - JSON works too", () => {
  const json = JSON.stringify(
    {
      rules: [{
        id: "lag",
        name: "Lag",
        type: "pipeline",
        params: { check: "lag_above", seconds: 30 },
      }],
    },
    null,
    2,
  );
  assert.equal(parseProvisioning(json, "alerts.json").rules[0].type, "pipeline");
});

const BAD = `channels:
  - id: ops-hook
    name: Ops hook
    type: webhook
    config: { url: "https://x.example.com" }
rules:
  - id: sales-drop
    name: Sales drop
    type: threshold
    params:
      metric: sales
      op: under
      value: 100
  - id: flags
    name: Flags
    type: anomaly
    interval_s: 1
    channels: [ops-hook, pager]
  - id: odd
    name: Odd
    type: nonsense
`;

Deno.test("alerts provisioning - errors name the line of each problem", () => {
  let err: ProvisioningError | undefined;
  try {
    parseProvisioning(BAD, "alerts.yaml", env);
  } catch (e) {
    err = e as ProvisioningError;
  }
  assert.ok(err instanceof ProvisioningError, "rejected");
  assert.deepEqual(err.problems.map((p) => p.line), [12, 17, 21], err.message);
  assert.match(err.message, /line 12: rules\[0\]\.params\.op: .*"below"\|"above"/);
  assert.match(err.message, /line 17: rules\[1\]\.interval_s: .*>=5/);
  assert.match(err.message, /line 21: rules\[2\]\.type: unknown type; use one of threshold/);
  const fixed = BAD.replace("op: under", "op: below").replace("interval_s: 1", "interval_s: 60")
    .replace("type: nonsense", "type: anomaly");
  assert.throws(
    () => parseProvisioning(fixed, "alerts.yaml", env),
    /line 18: rules\[1\]\.channels\[1\]: unknown channel "pager"/,
  );
});

Deno.test("alerts provisioning - YAML syntax errors name the line", () => {
  assert.throws(
    () => parseProvisioning("rules:\n  - id: x\n    name: [unclosed\n", "a.yaml"),
    (e: ProvisioningError) => e.problems.length > 0 && e.problems[0].line >= 3,
  );
});

Deno.test("alerts provisioning - apply upserts and removes what the file dropped", async () => {
  await using db = await testDb("prov_apply");
  await applyProvisioning(db.sql, parseProvisioning(GOOD, "a", env));
  assert.deepEqual((await listRules(db.sql)).map((r) => [r.id, r.provisioned]), [
    ["flags", true],
    ["sales-drop", true],
  ]);
  const second = GOOD.slice(0, GOOD.indexOf("  - id: flags"));
  const r = await applyProvisioning(db.sql, parseProvisioning(second, "a", env));
  assert.deepEqual(r.removed, ["flags"]);
  assert.equal(await getRule(db.sql, "flags"), null);
  assert.equal((await listChannels(db.sql)).length, 1);
});

Deno.test("alerts provisioning - the watcher reloads on change and keeps the last good version", async () => {
  await using rt = await testRuntime("prov_watch");
  const dir = await Deno.makeTempDir();
  const file = `${dir}/alerts.yaml`;
  Deno.env.set("HOOK_URL", "https://hooks.example.com/x");
  await Deno.writeTextFile(file, GOOD);
  const ac = new AbortController();
  let loads = 0, errors = 0;
  await watchProvisioning(rt, file, {
    signal: ac.signal,
    onLoad: () => loads++,
    onError: () => errors++,
  });
  try {
    assert.equal((await listRules(rt.sql)).length, 2);
    await Deno.writeTextFile(file, GOOD.replace("name: Sales drop", "name: Sales fell"));
    await waitFor(async () => (await getRule(rt.sql, "sales-drop"))?.name === "Sales fell", {
      what: "reload after edit",
    });
    await Deno.writeTextFile(file, GOOD.replace("type: anomaly", "type: nonsense"));
    await waitFor(() => errors > 0, { what: "broken file reported" });
    assert.equal((await listRules(rt.sql)).length, 2, "last good version kept");
  } finally {
    ac.abort();
    await Deno.remove(dir, { recursive: true });
  }
});
