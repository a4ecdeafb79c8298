/** A titled card with an optional CSV download link and an empty state. */
import type { ComponentChildren } from "preact";

/** Props of {@link Panel}. */
export interface PanelProps {
  title: string;
  /** A short qualifier beside the title (what the figures are in, e.g. whose clock). */
  note?: string;
  /** URL of the CSV export of what the panel shows. */
  csv?: string;
  id?: string;
  class?: string;
  /** Shown instead of the children when set. */
  empty?: string | false;
  children?: ComponentChildren;
}

/** A dashboard card. */
export function Panel({ title, note, csv, id, empty, children, ...rest }: PanelProps) {
  return (
    <section class={`card panel ${rest.class ?? ""}`} id={id}>
      <header class="panel-head">
        <h2>{title}</h2>
        {note && <span class="muted">{note}</span>}
        {csv && <a class="csv" href={csv} download>CSV</a>}
      </header>
      {empty ? <p class="empty">{empty}</p> : children}
    </section>
  );
}

/** Builds an export URL: `/api/v1/export/<name>.csv?…`. */
export function csvUrl(name: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "*") q.set(k, v);
  const s = q.toString();
  return `/api/v1/export/${name}.csv${s ? `?${s}` : ""}`;
}
