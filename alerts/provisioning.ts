/**
 * Alert rules and channels as code: the YAML or JSON file named by TILLSTREAM_ALERTS_FILE,
 * loaded at start and again whenever it changes (Deno.watchFs), the way Grafana provisions
 * alerting. What the file defines is marked provisioned (the API refuses to edit it); what a
 * new version of the file drops is deleted. A broken file is reported with the line of each
 * problem and the last good version stays in force. `${NAME}` in a string is replaced by the
 * environment variable NAME, so secrets (webhook URLs, routing keys) stay out of the file.
 *
 *   channels:
 *     - { id: ops-slack, name: Ops Slack, type: slack, config: { url: "${SLACK_URL}" } }
 *   rules:
 *     - id: sales-drop
 *       name: Sales below 100.00 in 30 min
 *       type: threshold
 *       params: { metric: sales, op: below, value: 10000, window_min: 30 }
 *       channels: [ops-slack]
 */
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { errorMessage, log } from "../lib/log.ts";
import type { Runtime } from "../lib/runtime.ts";
import type { Sql } from "../lib/db.ts";
import { type Channel, CHANNEL_TYPES, channelSchema } from "./channels/schema.ts";
import { type Rule, ruleSchema, toIssues } from "./rules.ts";
import { saveChannel, saveRule } from "./rule_store.ts";

/** A provisioning file that cannot be used; `problems` name the line of each. */
export class ProvisioningError extends Error {
  override name = "ProvisioningError";
  constructor(public file: string, public problems: { line: number; message: string }[]) {
    super(
      `${file} is not valid:\n` +
        problems.map((p) => `  line ${p.line}: ${p.message}`).join("\n"),
    );
  }
}

/** The validated content of a provisioning file. */
export interface Provisioned {
  channels: Channel[];
  rules: Rule[];
}

function substituteEnv(v: unknown, env: (name: string) => string | undefined): unknown {
  if (typeof v === "string") {
    return v.replace(/\$\{([A-Z0-9_]+)\}/g, (m, name) => env(name) ?? m);
  }
  if (Array.isArray(v)) return v.map((x) => substituteEnv(x, env));
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substituteEnv(x, env)]));
  }
  return v;
}

/** Parses and validates provisioning `text` (YAML or JSON) named `file` in messages. */
export function parseProvisioning(
  text: string,
  file = "alerts file",
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): Provisioned {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const lineOf = (offset: number | undefined) => offset === undefined ? 1 : lc.linePos(offset).line;
  if (doc.errors.length) {
    throw new ProvisioningError(
      file,
      doc.errors.map((e) => ({ line: lineOf(e.pos[0]), message: e.message.split("\n")[0] })),
    );
  }
  const problems: { line: number; message: string }[] = [];
  const lineAt = (path: (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      // deno-lint-ignore no-explicit-any
      const range = (node as any)?.range as [number, number] | undefined;
      if (range) return lineOf(range[0]);
    }
    return 1;
  };
  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    throw new ProvisioningError(file, [{
      line: 1,
      message: 'the file must be a map with "channels:" and/or "rules:" lists',
    }]);
  }
  const raw = substituteEnv(doc.toJS() ?? {}, env) as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!["apiVersion", "channels", "rules"].includes(key)) {
      problems.push({
        line: lineAt([key]),
        message: `unknown key "${key}"; expected "channels" and "rules"`,
      });
    }
  }
  const out: Provisioned = { channels: [], rules: [] };
  for (const [key, schema] of [["channels", channelSchema], ["rules", ruleSchema]] as const) {
    const list = raw[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || !isSeq(doc.get(key, true))) {
      problems.push({ line: lineAt([key]), message: `"${key}" must be a list ("- id: ...")` });
      continue;
    }
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const r = schema.safeParse(item);
      if (!r.success) {
        for (const issue of toIssues(r.error, key === "channels" ? CHANNEL_TYPES : undefined)) {
          const path = [key, i, ...issue.path];
          problems.push({
            line: lineAt(path),
            message: `${key}[${i}]${issue.path.map((p) => `.${p}`).join("")}: ${issue.message}`,
          });
        }
        return;
      }
      if (seen.has(r.data.id)) {
        problems.push({
          line: lineAt([key, i, "id"]),
          message: `${key}[${i}].id: "${r.data.id}" is defined twice; ids must be unique`,
        });
      }
      seen.add(r.data.id);
      (out[key] as unknown[]).push(r.data);
    });
  }
  const channelIds = new Set(out.channels.map((c) => c.id));
  out.rules.forEach((rule, i) =>
    rule.channels.forEach((c, j) => {
      if (!channelIds.has(c)) {
        problems.push({
          line: lineAt(["rules", i, "channels", j]),
          message:
            `rules[${i}].channels[${j}]: unknown channel "${c}"; define it under "channels:"`,
        });
      }
    })
  );
  if (problems.length) throw new ProvisioningError(file, problems);
  return out;
}

/**
 * Makes the database match the file: upserts its channels and rules as provisioned, deletes
 * provisioned ones the file no longer has. Returns what changed.
 */
export async function applyProvisioning(sql: Sql, p: Provisioned) {
  return await sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    for (const c of p.channels) await saveChannel(t, c, true);
    for (const r of p.rules) await saveRule(t, { ...r, provisioned: true });
    const ruleIds = p.rules.map((r) => r.id);
    const channelIds = p.channels.map((c) => c.id);
    const droppedRules = await tx`delete from alert_rules
      where provisioned and not (id = any(${ruleIds})) returning id`;
    const droppedChannels = await tx`delete from alert_channels
      where provisioned and not (id = any(${channelIds})) returning id`;
    return {
      rules: ruleIds.length,
      channels: channelIds.length,
      removed: [...droppedRules, ...droppedChannels].map((r) => r.id as string),
    };
  });
}

/** Reads, validates and applies the file at `path`. */
export async function loadProvisioningFile(sql: Sql, path: string) {
  const text = await Deno.readTextFile(path);
  return await applyProvisioning(sql, parseProvisioning(text, path));
}

/**
 * Loads `path` now and again on every change until `signal` aborts. Errors are logged (and
 * passed to `onError`) and the last good version stays applied.
 */
export async function watchProvisioning(
  rt: Runtime,
  path: string,
  opts: { signal: AbortSignal; onLoad?: () => void; onError?: (e: unknown) => void },
): Promise<void> {
  const load = async () => {
    try {
      const r = await loadProvisioningFile(rt.sql, path);
      log.info("alert provisioning loaded", { file: path, ...r });
      opts.onLoad?.();
    } catch (e) {
      log.error("alert provisioning file rejected; keeping the previous version", {
        file: path,
        error: errorMessage(e),
      });
      opts.onError?.(e);
    }
  };
  await load();
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
  const name = path.slice(path.lastIndexOf("/") + 1);
  const watcher = Deno.watchFs(dir, { recursive: false });
  opts.signal.addEventListener("abort", () => watcher.close(), { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  (async () => {
    try {
      for await (const ev of watcher) {
        if (!ev.paths.some((p) => p.endsWith(`/${name}`) || p === name)) continue;
        // Editors write in several steps; load once things settle.
        clearTimeout(timer);
        timer = setTimeout(load, 100);
      }
    } catch { /* closed */ }
    clearTimeout(timer);
  })();
}
