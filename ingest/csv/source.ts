/**
 * Opens a CSV file as a stream of text records, decompressing gzip on the fly (by the file's
 * magic bytes, whatever its name), and counts the bytes read from disk so a progress bar can
 * estimate the time left from the file's size. Memory stays flat: nothing is read ahead
 * beyond the stream's buffers, and the parser applies backpressure to the file.
 */
import { parse } from "csv-parse";

/** A CSV file being read. */
export interface CsvSource {
  /** Records as arrays of fields, header first; `line` is the record's 1-based line number. */
  records: AsyncIterable<{ record: string[]; line: number }>;
  /** Size of the file on disk, bytes. */
  size: number;
  /** Bytes of the file read so far (compressed bytes for .gz). */
  bytesRead(): number;
  /** Parse errors of records csv-parse had to skip (bad quoting), with their line numbers. */
  skipped: { line: number; reason: string; raw: string }[];
  gzip: boolean;
}

/** Opens `path` (plain or gzip CSV). `delimiter` defaults to ",". */
export async function openCsv(path: string, delimiter = ","): Promise<CsvSource> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    throw new Error(`cannot open ${path}: ${(e as Error).message}; check the path`);
  }
  const size = (await file.stat()).size;
  const magic = new Uint8Array(2);
  const n = await file.read(magic);
  await file.seek(0, Deno.SeekMode.Start);
  const gzip = n === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  let read = 0;
  const counted = file.readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        read += chunk.byteLength;
        ctl.enqueue(chunk);
      },
    }),
  );
  const bytes = gzip
    ? counted.pipeThrough(
      new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
    )
    : counted;
  const skipped: CsvSource["skipped"] = [];
  const parser = parse({
    delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err, raw) => {
      skipped.push({
        line: (err as { lines?: number } | undefined)?.lines ?? 0,
        reason: `unreadable CSV: ${err?.message ?? "parse error"}`,
        raw: raw ?? "",
      });
      return undefined;
    },
  });
  const pump = (async () => {
    try {
      for await (const chunk of bytes) {
        if (!parser.write(chunk)) await new Promise((r) => parser.once("drain", r));
      }
      parser.end();
    } catch (e) {
      parser.destroy(
        new Error(`cannot read ${path}${gzip ? " (gzip)" : ""}: ${(e as Error).message}`),
      );
    }
  })();
  async function* records() {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { record: r.record, line: r.info.lines };
    }
    await pump;
  }
  return { records: records(), size, bytesRead: () => read, skipped, gzip };
}
