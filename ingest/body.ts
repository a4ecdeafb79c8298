/**
 * Reading and splitting an ingest request body: a size-capped read that never buffers more than
 * the limit, and parsing of a JSON array or NDJSON into raw items (each still to be validated).
 * Parse failures of one NDJSON line reject that line only; a broken JSON array rejects the body.
 */

/** Limits of one request to the HTTP connector. */
export const BODY_LIMITS = { maxBytes: 5 * 1024 * 1024, maxEvents: 10_000 } as const;

/** Body formats, by Content-Type. */
export type BodyFormat = "json" | "ndjson";

/** The body format of a Content-Type header, or null when it is not one we take. */
export function bodyFormat(contentType: string | null): BodyFormat | null {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-ndjson" || type === "application/ndjson") return "ndjson";
  return null;
}

/** Thrown when a body passes a limit; the handler answers 413. */
export class TooLarge extends Error {
  override name = "TooLarge";
}

/**
 * Reads the whole body, stopping as soon as it passes `maxBytes` (a lying or absent
 * Content-Length cannot make us buffer more than the limit plus one chunk).
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number = BODY_LIMITS.maxBytes,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new TooLarge(
          `request body is larger than ${maxBytes} bytes; send at most ${BODY_LIMITS.maxEvents} events and ${
            maxBytes / 1024 / 1024
          } MB per request`,
        );
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** One raw item of a body: its parsed value, or why it could not be parsed. */
export type RawItem = { index: number; value: unknown } | { index: number; error: string };

/** Result of {@link parseBody}: items, or one error for the whole body. */
export type ParsedBody = { ok: true; items: RawItem[] } | { ok: false; error: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function jsonError(e: unknown): string {
  return (e as Error).message.replace(/\s+/g, " ").slice(0, 120);
}

/**
 * Splits a body into raw events. Throws TooLarge when it holds more than `maxEvents`.
 * For NDJSON, blank lines are skipped and `index` counts events (0-based), not lines.
 */
export function parseBody(
  bytes: Uint8Array,
  format: BodyFormat,
  maxEvents: number = BODY_LIMITS.maxEvents,
): ParsedBody {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, error: "body is not valid UTF-8; send UTF-8 encoded JSON" };
  }
  const tooMany = () =>
    new TooLarge(
      `request holds more than ${maxEvents} events; send at most ${maxEvents} per request (split the batch)`,
    );
  if (format === "json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return {
        ok: false,
        error: `body is not valid JSON (${
          jsonError(e)
        }); expected an array like [{"type":"sale",...}]`,
      };
    }
    if (!Array.isArray(parsed)) {
      return {
        ok: false,
        error:
          `expected a JSON array of events like [{"type":"sale",...}]; for one event per line use Content-Type: application/x-ndjson`,
      };
    }
    if (parsed.length > maxEvents) throw tooMany();
    return { ok: true, items: parsed.map((value, index) => ({ index, value })) };
  }
  const items: RawItem[] = [];
  let lineNo = 0;
  for (const line of text.split("\n")) {
    lineNo++;
    if (!line.trim()) continue;
    const index = items.length;
    if (index >= maxEvents) throw tooMany();
    try {
      items.push({ index, value: JSON.parse(line) });
    } catch (e) {
      items.push({ index, error: `line ${lineNo} is not valid JSON (${jsonError(e)})` });
    }
  }
  return { ok: true, items };
}
