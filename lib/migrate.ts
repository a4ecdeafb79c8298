/**
 * Migrations: `migrations/NNNN_name.sql`, applied in order, each in its own transaction,
 * recorded with a SHA-256 checksum. An applied migration whose file changed is an error, never
 * re-run. A session-level advisory lock serialises concurrent starts.
 */
import type { Sql } from "./db.ts";

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** Raised when migrations cannot be applied as they stand. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

const LOCK_KEY = 7_424_201; // arbitrary, constant: the advisory lock id for migrations
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

async function sha256(text: string): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads migrations from `dir`, sorted; rejects misnamed files and duplicate numbers. */
export async function readMigrations(
  dir: string | URL = new URL("../migrations/", import.meta.url),
): Promise<Migration[]> {
  const out: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".sql")) continue;
    const m = FILE.exec(entry.name);
    if (!m) {
      throw new MigrationError(
        `migration file "${entry.name}" is misnamed: use NNNN_snake_name.sql, e.g. 0007_add_alerts.sql`,
      );
    }
    const path = typeof dir === "string" ? `${dir}/${entry.name}` : new URL(entry.name, dir);
    const sql = await Deno.readTextFile(path);
    out.push({ version: Number(m[1]), name: m[2], sql, checksum: await sha256(sql) });
  }
  out.sort((a, b) => a.version - b.version);
  for (let i = 1; i < out.length; i++) {
    if (out[i].version === out[i - 1].version) {
      throw new MigrationError(
        `two migrations share number ${out[i].version}: ${out[i - 1].name} and ${
          out[i].name
        }; renumber one`,
      );
    }
  }
  return out;
}

/** State of the schema against the migration files. */
export interface MigrationStatus {
  applied: number;
  pending: Migration[];
  current: boolean;
}

async function ensureTable(sql: Sql) {
  await sql`create table if not exists schema_migrations (
    version int primary key, name text not null, checksum text not null,
    applied_at timestamptz not null default now())`;
}

async function verify(sql: Sql, migrations: Migration[]) {
  const rows = await sql<{ version: number; name: string; checksum: string }[]>`
    select version, name, checksum from schema_migrations order by version`;
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of rows) {
    const file = byVersion.get(row.version);
    if (!file) {
      throw new MigrationError(
        `migration ${row.version}_${row.name} is applied in the database but its file is missing; restore migrations/${
          String(row.version).padStart(4, "0")
        }_${row.name}.sql`,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${
          String(row.version).padStart(4, "0")
        }_${row.name}.sql was edited after it was applied (checksum differs). Revert the edit and put the change in a new migration file.`,
      );
    }
  }
  return new Set(rows.map((r) => r.version));
}

/** Reports applied and pending migrations without changing anything. */
export async function migrationStatus(
  sql: Sql,
  migrations?: Migration[],
): Promise<MigrationStatus> {
  migrations ??= await readMigrations();
  const [{ exists }] = await sql`select to_regclass('schema_migrations') is not null as exists`;
  if (!exists) return { applied: 0, pending: migrations, current: migrations.length === 0 };
  const applied = await verify(sql, migrations);
  const pending = migrations.filter((m) => !applied.has(m.version));
  return { applied: applied.size, pending, current: pending.length === 0 };
}

/**
 * Applies pending migrations in order, each in its own transaction holding the advisory lock,
 * so concurrent starts serialise and each re-checks what is applied. Returns the versions applied.
 */
export async function migrate(sql: Sql, migrations?: Migration[]): Promise<number[]> {
  const files = migrations ?? await readMigrations();
  const done: number[] = [];
  for (const m of files) {
    const applied = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
      await ensureTable(tx);
      const already = await verify(tx, files);
      if (already.has(m.version)) return false;
      try {
        await tx.unsafe(m.sql); // migration files are trusted project SQL
      } catch (e) {
        throw new MigrationError(
          `migration ${String(m.version).padStart(4, "0")}_${m.name}.sql failed: ${
            (e as Error).message
          }`,
        );
      }
      await tx`insert into schema_migrations (version, name, checksum)
               values (${m.version}, ${m.name}, ${m.checksum})`;
      return true;
    });
    if (applied) done.push(m.version);
  }
  return done;
}
