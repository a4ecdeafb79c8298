/**
 * The rejects file: every row the import could not accept, as it was in the source, with its
 * line number and the reason, so it can be fixed and imported again. Opened on the first
 * reject only, so a clean import leaves no empty file behind.
 */

/** Quotes one CSV field when it needs it (RFC 4180). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Writes rejected rows as CSV: the source header, then `line` and `reason`. */
export class RejectsWriter {
  #file: Deno.FsFile | null = null;
  #buf: string[] = [];
  #enc = new TextEncoder();
  count = 0;

  constructor(readonly path: string, readonly header: string[]) {}

  /** Records one rejected row. */
  async add(line: number, record: string[], reason: string): Promise<void> {
    this.count++;
    const fields = this.header.map((_, i) => record[i] ?? "");
    this.#buf.push([...fields, String(line), reason].map(csvField).join(",") + "\n");
    if (this.#buf.length >= 1000) await this.#drain();
  }

  async #drain() {
    if (!this.#buf.length) return;
    if (!this.#file) {
      this.#file = await Deno.open(this.path, { write: true, create: true, truncate: true });
      const head = [...this.header, "line", "reason"].map(csvField).join(",") + "\n";
      await this.#file.write(this.#enc.encode(head));
    }
    const data = this.#enc.encode(this.#buf.join(""));
    this.#buf = [];
    let off = 0;
    while (off < data.length) off += await this.#file.write(data.subarray(off));
  }

  /** Flushes and closes; returns the path when anything was written. */
  async close(): Promise<string | null> {
    await this.#drain();
    if (!this.#file) return null;
    this.#file.close();
    return this.path;
  }
}
