/**
 * The model registry: versions in `model_versions`, tfjs artifacts in `model_artifacts` (written
 * and read through a tfjs IOHandler, so `model.save(handler)` / `tf.loadLayersModel(handler)`
 * work unchanged), and an audit trail in `model_events`.
 *
 * Promotion rule: a candidate becomes active only when its backtest score beats its own baseline
 * and the active version's score (same metric, same direction); `force` skips the checks and is
 * recorded as `promote_forced`.
 */
import type { Sql } from "../lib/db.ts";
import { tf } from "./tf.ts";

/** The backtest figure a version is judged by. */
export interface Score {
  name: string;
  value: number;
  better: "lower" | "higher";
}

/** Metrics stored with a version: the score, the baseline's score, and anything else. */
export interface VersionMetrics {
  score: Score;
  baseline: { name: string; value: number };
  [detail: string]: unknown;
}

/** One row of `model_versions`. */
export interface ModelVersion {
  name: string;
  version: number;
  status: "candidate" | "active" | "retired";
  params: Record<string, unknown>;
  dataFrom: Date | null;
  dataTo: Date | null;
  metrics: VersionMetrics;
  trainedBy: string;
  createdAt: Date;
  promotedAt: Date | null;
}

/** A registry operation that cannot be done as asked (unknown version, refused promotion...). */
export class RegistryError extends Error {
  override name = "RegistryError";
}

/** The model names the registry knows. */
export const MODEL_NAMES = ["forecast", "anomaly", "demand", "churn"] as const;
/** One model name. */
export type ModelName = typeof MODEL_NAMES[number];

// deno-lint-ignore no-explicit-any
function toVersion(r: any): ModelVersion {
  return {
    name: r.name,
    version: r.version,
    status: r.status,
    params: r.params,
    dataFrom: r.data_from,
    dataTo: r.data_to,
    metrics: r.metrics,
    trainedBy: r.trained_by,
    createdAt: r.created_at,
    promotedAt: r.promoted_at,
  };
}

/** Who is acting: `$USER@host`, or the given role name. */
export function actor(role?: string): string {
  const user = role ?? Deno.env.get("USER") ?? "unknown";
  let host = "localhost";
  try {
    host = Deno.hostname();
  } catch { /* no sys permission */ }
  return `${user}@${host}`;
}

/** Records a new candidate version and returns its number (1 + the highest so far). */
export async function registerVersion(sql: Sql, v: {
  name: string;
  params: Record<string, unknown>;
  dataFrom?: Date | null;
  dataTo?: Date | null;
  metrics: VersionMetrics;
  trainedBy: string;
}): Promise<number> {
  return await sql.begin(async (tx) => {
    // Serialise version numbering per model name across processes.
    await tx`select pg_advisory_xact_lock(hashtext(${"model_versions:" + v.name}))`;
    const [{ next }] = await tx`select coalesce(max(version), 0) + 1 as next
                                from model_versions where name = ${v.name}`;
    await tx`insert into model_versions (name, version, params, data_from, data_to, metrics, trained_by)
      values (${v.name}, ${next}, ${tx.json(v.params as never)}, ${v.dataFrom ?? null},
              ${v.dataTo ?? null}, ${tx.json(v.metrics as never)}, ${v.trainedBy})`;
    await tx`insert into model_events (name, version, action, actor)
             values (${v.name}, ${next}, 'register', ${v.trainedBy})`;
    return next as number;
  });
}

/** Every version, newest first (optionally of one model). */
export async function listVersions(sql: Sql, name?: string): Promise<ModelVersion[]> {
  const rows = name
    ? await sql`select * from model_versions where name = ${name} order by version desc`
    : await sql`select * from model_versions order by name, version desc`;
  return rows.map(toVersion);
}

/** One version, or a RegistryError naming the versions that exist. */
export async function getVersion(sql: Sql, name: string, version: number): Promise<ModelVersion> {
  const [row] =
    await sql`select * from model_versions where name = ${name} and version = ${version}`;
  if (!row) {
    const have = (await listVersions(sql, name)).map((v) => v.version);
    throw new RegistryError(
      `${name} has no version ${version}; ${
        have.length
          ? `versions: ${have.join(", ")}`
          : `train one first: deno task models train ${name}`
      }`,
    );
  }
  return toVersion(row);
}

/** The active version of a model, or null. */
export async function activeVersion(sql: Sql, name: string): Promise<ModelVersion | null> {
  const [row] = await sql`select * from model_versions where name = ${name} and status = 'active'`;
  return row ? toVersion(row) : null;
}

function beats(a: Score, b: number): boolean {
  return a.better === "lower" ? a.value < b : a.value > b;
}

/** Why a candidate may not be promoted, or null if it may. */
export function promotionBlocker(
  cand: ModelVersion,
  active: ModelVersion | null,
  activeScore?: number,
): string | null {
  const s = cand.metrics?.score;
  if (!s || !Number.isFinite(s.value)) return `version ${cand.version} has no backtest score`;
  const base = cand.metrics.baseline;
  if (base && Number.isFinite(base.value) && !beats(s, base.value)) {
    return `its ${s.name} ${fmt(s.value)} does not beat the ${base.name} baseline (${
      fmt(base.value)
    })`;
  }
  const a = active?.metrics?.score;
  const against = activeScore ?? a?.value;
  if (active && a && a.name === s.name && against !== undefined && !beats(s, against)) {
    return `its ${s.name} ${fmt(s.value)} does not beat active version ${active.version} (${
      fmt(against)
    }${activeScore === undefined ? "" : " on the same backtest"})`;
  }
  return null;
}

const fmt = (x: number) => Number(x.toFixed(4)).toString();

/** Result of a promotion attempt. */
export interface PromoteResult {
  promoted: boolean;
  reason: string;
  previous: number | null;
}

/**
 * Makes `version` active if it beats the active one (or `force`), retiring the old active.
 * A refusal is recorded in `model_events` and returned, not thrown.
 */
export async function promote(
  sql: Sql,
  name: string,
  version: number,
  opts: {
    force?: boolean;
    actor: string;
    /** The active version's score re-measured on the candidate's backtest, when available. */
    activeScore?: number;
  },
): Promise<PromoteResult> {
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${"model_versions:" + name}))`;
    const cand = await getVersion(tx as unknown as Sql, name, version);
    const active = await activeVersion(tx as unknown as Sql, name);
    if (active?.version === version) {
      return { promoted: false, reason: `version ${version} is already active`, previous: version };
    }
    const blocker = promotionBlocker(cand, active, opts.activeScore);
    if (blocker && !opts.force) {
      await tx`insert into model_events (name, version, action, actor, reason)
               values (${name}, ${version}, 'refuse', ${opts.actor}, ${blocker})`;
      return { promoted: false, reason: blocker, previous: active?.version ?? null };
    }
    if (active) {
      await tx`update model_versions set status = 'retired'
               where name = ${name} and version = ${active.version}`;
    }
    await tx`update model_versions set status = 'active', promoted_at = now()
             where name = ${name} and version = ${version}`;
    const action = blocker ? "promote_forced" : "promote";
    const reason = blocker ? `forced although ${blocker}` : "beats baseline and active version";
    await tx`insert into model_events (name, version, action, actor, reason, details)
             values (${name}, ${version}, ${action}, ${opts.actor}, ${reason},
                     ${
      tx.json({ previous: active?.version ?? null, activeScore: opts.activeScore ?? null })
    })`;
    return { promoted: true, reason, previous: active?.version ?? null };
  });
}

/**
 * Reactivates the version that was active before the current one (the most recently promoted
 * retired version) and retires the current one.
 */
export async function rollback(
  sql: Sql,
  name: string,
  opts: { actor: string },
): Promise<{ from: number; to: number }> {
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${"model_versions:" + name}))`;
    const [cur] = await tx`select version from model_versions
                           where name = ${name} and status = 'active'`;
    if (!cur) throw new RegistryError(`${name} has no active version to roll back`);
    const [prev] = await tx`select version from model_versions
      where name = ${name} and status = 'retired' and promoted_at is not null
      order by promoted_at desc limit 1`;
    if (!prev) {
      throw new RegistryError(
        `${name} version ${cur.version} was never preceded by an active version; promote another one instead, e.g. deno task models promote ${name} <version> --force`,
      );
    }
    await tx`update model_versions set status = 'retired'
             where name = ${name} and version = ${cur.version}`;
    await tx`update model_versions set status = 'active', promoted_at = now()
             where name = ${name} and version = ${prev.version}`;
    await tx`insert into model_events (name, version, action, actor, details)
             values (${name}, ${prev.version}, 'rollback', ${opts.actor},
                     ${tx.json({ from: cur.version })})`;
    return { from: cur.version as number, to: prev.version as number };
  });
}

/**
 * A tfjs IOHandler that saves to and loads from `model_artifacts`. `extra` is stored beside the
 * weights (scalers, vocabularies) and handed back by {@link loadExtra}.
 */
export function pgHandler(
  sql: Sql,
  name: string,
  version: number,
  extra: Record<string, unknown> = {},
): tf.io.IOHandler {
  return {
    async save(a: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const bytes = new Uint8Array(
        a.weightData ? tf.io.CompositeArrayBuffer.join(a.weightData) : new ArrayBuffer(0),
      );
      await sql`insert into model_artifacts (name, version, topology, weight_specs, weight_data, extra)
        values (${name}, ${version}, ${sql.json(a.modelTopology as never)},
                ${sql.json((a.weightSpecs ?? []) as never)}, ${bytes}, ${sql.json(extra as never)})
        on conflict (name, version) do update set topology = excluded.topology,
          weight_specs = excluded.weight_specs, weight_data = excluded.weight_data,
          extra = excluded.extra, saved_at = now()`;
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          weightDataBytes: bytes.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const [row] = await sql`select topology, weight_specs, weight_data from model_artifacts
                              where name = ${name} and version = ${version}`;
      if (!row) throw new RegistryError(`${name} version ${version} has no stored tfjs artifact`);
      const buf = row.weight_data as Uint8Array;
      return {
        modelTopology: row.topology,
        weightSpecs: row.weight_specs,
        weightData: new Uint8Array(buf).buffer as ArrayBuffer,
        format: "layers-model",
      };
    },
  };
}

/** Stores non-tfjs state for a version (models without a network keep only this). */
export async function saveExtra(
  sql: Sql,
  name: string,
  version: number,
  extra: Record<string, unknown>,
): Promise<void> {
  await sql`insert into model_artifacts (name, version, topology, weight_specs, weight_data, extra)
    values (${name}, ${version}, 'null'::jsonb, '[]'::jsonb, ${new Uint8Array(0)},
            ${sql.json(extra as never)})
    on conflict (name, version) do update set extra = excluded.extra, saved_at = now()`;
}

/** The `extra` state stored with a version, or null. */
export async function loadExtra<T = Record<string, unknown>>(
  sql: Sql,
  name: string,
  version: number,
): Promise<T | null> {
  const [row] = await sql`select extra from model_artifacts
                          where name = ${name} and version = ${version}`;
  return row ? row.extra as T : null;
}

/** Loads a version's tfjs network from the registry. */
export async function loadNetwork(
  sql: Sql,
  name: string,
  version: number,
): Promise<tf.LayersModel> {
  return await tf.loadLayersModel(pgHandler(sql, name, version));
}

/**
 * Writes a version in the standard tfjs layers format (`model.json` + `weights.bin`) plus
 * `metadata.json` (registry row and extra state) into `dir`. Returns the files written.
 */
export async function exportVersion(
  sql: Sql,
  name: string,
  version: number,
  dir: string,
): Promise<string[]> {
  const v = await getVersion(sql, name, version);
  const [row] = await sql`select topology, weight_specs, weight_data, extra from model_artifacts
                          where name = ${name} and version = ${version}`;
  if (!row) throw new RegistryError(`${name} version ${version} has no stored artifact to export`);
  await Deno.mkdir(dir, { recursive: true });
  const files: string[] = [];
  if (row.topology) {
    const modelJson = {
      modelTopology: row.topology,
      format: "layers-model",
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      weightsManifest: [{ paths: ["weights.bin"], weights: row.weight_specs }],
    };
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(modelJson));
    await Deno.writeFile(`${dir}/weights.bin`, row.weight_data as Uint8Array);
    files.push(`${dir}/model.json`, `${dir}/weights.bin`);
  }
  await Deno.writeTextFile(
    `${dir}/metadata.json`,
    JSON.stringify({ ...v, extra: row.extra }, null, 2),
  );
  files.push(`${dir}/metadata.json`);
  return files;
}
