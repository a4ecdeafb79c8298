/**
 * PostgreSQL through postgres.js: one pool per process, tagged templates only.
 * `ensureDatabase` creates the configured database when it is missing, so a fresh
 * machine needs no manual `createdb`.
 */
import postgres from "postgres";

/** The SQL client type used across Tillstream. */
export type Sql = postgres.Sql;

/** Options for {@link connect}. */
export interface ConnectOptions {
  max?: number;
  /** Called for server notices; default is to drop them (they are noisy under migrations). */
  onnotice?: (n: postgres.Notice) => void;
}

/** Opens a pool to `url`. Numeric and bigint columns come back as strings; we parse where needed. */
export function connect(url: string, opts: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: opts.onnotice ?? (() => {}),
    idle_timeout: 30,
    connect_timeout: 5,
    // int8 as JS number where safe: counts and cents fit well within 2^53.
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (x: number | bigint) => String(x),
        parse: (x: string) => {
          const n = Number(x);
          if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${x} exceeds 2^53`);
          return n;
        },
      },
    },
  });
}

/** Database name in a PostgreSQL URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, "")) || "postgres";
}

/** The same URL pointing at another database. */
export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(db);
  return u.toString();
}

/** Creates the URL's database if it does not exist (connecting to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  const admin = connect(withDatabase(url, "postgres"), { max: 1 });
  try {
    const [row] = await admin`select 1 as ok from pg_database where datname = ${name}`;
    if (row) return false;
    // CREATE DATABASE takes no bind parameters; the identifier is escaped by postgres.js.
    await admin`create database ${admin(name)}`.catch((e) => {
      if (e?.code !== "42P04") throw e; // created concurrently by another process
    });
    return true;
  } finally {
    await admin.end({ timeout: 1 });
  }
}

/** Drops database `name` on the server of `url` (closing its connections), if it exists. */
export async function dropDatabase(url: string, name: string): Promise<void> {
  const admin = connect(withDatabase(url, "postgres"), { max: 1 });
  try {
    await admin`drop database if exists ${admin(name)} with (force)`;
  } finally {
    await admin.end({ timeout: 1 });
  }
}
