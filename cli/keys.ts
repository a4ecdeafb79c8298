/**
 * `deno task keys create|list|revoke`: connector keys for `POST /api/v1/events`. The secret is
 * shown once, at creation; only its hash is stored.
 */
import { parseCli, runCli, table, UsageError, withRuntime } from "./args.ts";
import type { Runtime } from "../lib/runtime.ts";
import { createKey, KEY_CACHE_TTL_MS, listKeys, revokeKey } from "../lib/connector_keys.ts";
import { listStores } from "../lib/stores.ts";

/** Usage text of the keys CLI. */
export const USAGE = `usage:
  deno task keys create --name NAME [--store STORE_ID ...] [--json]
  deno task keys list [--json]
  deno task keys revoke <id>`;

const OPTIONS = {
  name: { type: "string" },
  store: { type: "string", multiple: true },
  json: { type: "boolean" },
} as const;

function parse(args: string[]) {
  const { values, positionals } = parseCli(args, OPTIONS);
  const [cmd, ...rest] = positionals;
  if (cmd === "create") {
    if (!values.name) throw new UsageError(`keys create needs --name, e.g. --name paris-pos`);
    if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  } else if (cmd === "list") {
    if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  } else if (cmd === "revoke") {
    if (rest.length !== 1) throw new UsageError("keys revoke needs exactly one key id");
  } else throw new UsageError(cmd ? `unknown command "${cmd}"` : "missing command");
  return { cmd, values, rest };
}

/** Runs one keys command on `rt` and returns what to print. */
export async function keysCommand(rt: Runtime, args: string[]): Promise<string> {
  const { cmd, values, rest } = parse(args);
  if (cmd === "create") {
    const k = await createKey(rt.sql, { name: values.name!, stores: values.store });
    if (values.json) return JSON.stringify({ id: k.id, key: k.key });
    const known = new Set((await listStores(rt.sql)).map((s) => s.id));
    const unknown = (k.stores ?? []).filter((s) => !known.has(s));
    return [
      `created connector key ${k.id} (${k.name}) for ${
        k.stores ? `stores ${k.stores.join(", ")}` : "every store"
      }`,
      ``,
      `  ${k.key}`,
      ``,
      `This is the only time the key is shown; store it in the connector's configuration.`,
      `Send it as: Authorization: Bearer ${k.key.slice(0, 8)}…`,
      ...(unknown.length
        ? [
          `Note: ${unknown.join(", ")} ${
            unknown.length === 1 ? "is" : "are"
          } not registered yet; events are refused until: deno task stores add --id ...`,
        ]
        : []),
    ].join("\n");
  }
  if (cmd === "list") {
    const keys = await listKeys(rt.sql);
    if (values.json) return JSON.stringify(keys, null, 2);
    if (!keys.length) {
      return "no connector keys yet; create one with: deno task keys create --name NAME";
    }
    return table(
      keys.map((k) => ({
        ...k,
        stores: k.stores ?? "all",
        status: k.revoked_at ? "revoked" : "active",
      })),
      ["id", "name", "stores", "status", "created_at", "revoked_at"],
    );
  }
  const changed = await revokeKey(rt.sql, rest[0]);
  return changed
    ? `revoked ${rest[0]}; running servers refuse it within ${KEY_CACHE_TTL_MS / 1000} s`
    : `${rest[0]} was already revoked`;
}

if (import.meta.main) {
  await runCli("keys", USAGE, withRuntime("keys", keysCommand, parse));
}
