/**
 * Stream entries as workers see them: parsing XREADGROUP / XAUTOCLAIM replies, locating an
 * entry's family and partition from its stream name, and decoding payloads. An entry that does
 * not decode is returned with its reason, for the dead-letter stream: it is never retried.
 */
import { FAMILIES, type Family, type Keys } from "../lib/keys.ts";
import { decodeEvent } from "../lib/events.ts";
import type { DecodedEntry, StreamEntry } from "./apply.ts";

/** One entry as ioredis returns it: [id, [field, value, ...]]. */
export type RawEntry = [string, string[] | null];

/** Where a stream sits: its family and partition. */
export interface StreamPlace {
  family: Family;
  partition: number;
}

/** A lookup from stream name to family and partition for `partitions` partitions. */
export function streamLocator(keys: Keys, partitions: number): (stream: string) => StreamPlace {
  const places = new Map<string, StreamPlace>();
  for (const family of FAMILIES) {
    for (let p = 0; p < partitions; p++) {
      places.set(keys.stream(family, p), { family, partition: p });
    }
  }
  return (stream) => {
    const place = places.get(stream);
    if (!place) throw new Error(`stream ${stream} is not a Tillstream partition stream`);
    return place;
  };
}

/** A {@link StreamEntry} from a raw reply entry (payload = field `e`, or "" if missing). */
export function entryFromReply(stream: string, raw: RawEntry, place: StreamPlace): StreamEntry {
  const fields = raw[1] ?? [];
  let payload = "";
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === "e") {
      payload = fields[i + 1];
      break;
    }
  }
  return { stream, id: raw[0], family: place.family, partition: place.partition, payload };
}

/** Entries of an XREADGROUP reply ([[stream, [[id, fields], ...]], ...] or null). */
export function entriesFromRead(
  reply: [string, RawEntry[]][] | null,
  locate: (stream: string) => StreamPlace,
): StreamEntry[] {
  const out: StreamEntry[] = [];
  for (const [stream, list] of reply ?? []) {
    const place = locate(stream);
    for (const raw of list) out.push(entryFromReply(stream, raw, place));
  }
  return out;
}

/** Decodes entries; the ones that fail come back with the reason. */
export function decodeEntries(entries: StreamEntry[]): {
  decoded: DecodedEntry[];
  failed: { entry: StreamEntry; reason: string }[];
} {
  const decoded: DecodedEntry[] = [];
  const failed: { entry: StreamEntry; reason: string }[] = [];
  for (const entry of entries) {
    if (!entry.payload) {
      failed.push({
        entry,
        reason: "entry has no `e` field (not written by the Tillstream producer)",
      });
      continue;
    }
    const v = decodeEvent(entry.payload);
    if (!v.ok) failed.push({ entry, reason: `cannot decode: ${v.error}` });
    else decoded.push({ ...entry, event: v.event });
  }
  return { decoded, failed };
}
