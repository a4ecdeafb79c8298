/** The HTML shell around every page. */
import type { LayoutProps } from "../lib/web/types.ts";
import { asset } from "../lib/web/static.ts";

export default function App({ Component, state }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{state.title ? `${state.title} · Tillstream` : "Tillstream"}</title>
        <link rel="stylesheet" href={asset("/app.css")} />
        {
          /* In the head, not added by the chart islands: a stylesheet that arrives after a chart
            is drawn moves its plot area under the reader's pointer. */
        }
        <link rel="stylesheet" href={asset("/uplot.css")} />
        <link rel="icon" href={asset("/icon.svg")} type="image/svg+xml" />
        <link rel="manifest" href={asset("/manifest.webmanifest")} />
        <meta name="theme-color" content="#0f766e" />
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}
