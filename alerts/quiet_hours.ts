/**
 * Per-user quiet hours ("22:00"–"07:00" in the user's time zone). Personal notifications
 * (e-mail, Web Push) inside them are recorded as suppressed, not sent; critical alerts get
 * through unless the user turned that off.
 */
import { localTime } from "./opening_hours.ts";

/** A user's quiet-hours settings. */
export interface QuietHours {
  timezone: string;
  quiet_start: string | null;
  quiet_end: string | null;
  quiet_bypass_critical: boolean;
}

const hm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** True when `at` falls inside the quiet hours (which may span midnight). */
export function inQuietHours(q: QuietHours | undefined, at: number): boolean {
  if (!q?.quiet_start || !q.quiet_end) return false;
  const { minutes } = localTime(q.timezone, at);
  const start = hm(q.quiet_start), end = hm(q.quiet_end);
  if (start === end) return false;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

/** Why a notification of `severity` to this user is held back at `at`, or null to send it. */
export function quietReason(
  q: QuietHours | undefined,
  severity: string,
  at: number,
): string | null {
  if (!inQuietHours(q, at)) return null;
  if (severity === "critical" && q!.quiet_bypass_critical) return null;
  return `quiet hours ${q!.quiet_start}-${q!.quiet_end} ${q!.timezone}`;
}
