import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { ensureStarterRules, STARTER_RULES } from "./starter_rules.ts";
import { deleteRule, listRules } from "./rule_store.ts";

Deno.test("starter rules - a fresh install gets them once; deleted ones stay deleted", async () => {
  await using rt = await testRuntime("starter_rules");
  const made = await ensureStarterRules(rt.sql);
  assert.deepEqual(made, STARTER_RULES.map((r) => r.id));
  const rules = await listRules(rt.sql);
  assert.deepEqual(rules.map((r) => r.id).sort(), [...made].sort());
  assert.ok(rules.every((r) => !r.provisioned && r.enabled));
  await deleteRule(rt.sql, "stockouts");
  assert.deepEqual(await ensureStarterRules(rt.sql), []);
  assert.equal((await listRules(rt.sql)).some((r) => r.id === "stockouts"), false);
});
