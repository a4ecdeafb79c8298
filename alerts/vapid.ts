/**
 * VAPID keys for Web Push: generated at first start and kept in PostgreSQL (app_secrets), so
 * every web instance signs with the same key and browsers' subscriptions survive restarts.
 */
import webpush from "web-push";
import type { Sql } from "../lib/db.ts";

/** A VAPID key pair (URL-safe base64, as browsers and web-push expect). */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** Returns the stored VAPID keys, generating and storing them the first time. */
export async function vapidKeys(sql: Sql): Promise<VapidKeys> {
  const [row] = await sql<{ value: VapidKeys }[]>`
    select value from app_secrets where name = 'vapid'`;
  if (row) return row.value;
  const keys = webpush.generateVAPIDKeys();
  // Two instances starting together: the first insert wins and both read it back.
  await sql`insert into app_secrets (name, value) values ('vapid', ${sql.json(keys)})
            on conflict (name) do nothing`;
  const [stored] = await sql<{ value: VapidKeys }[]>`
    select value from app_secrets where name = 'vapid'`;
  return stored.value;
}

/** The VAPID subject: a mailto: address taken from TILLSTREAM_MAIL_FROM. */
export function vapidSubject(mailFrom: string): string {
  const addr = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  return `mailto:${addr}`;
}
