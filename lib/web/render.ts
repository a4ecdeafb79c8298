/**
 * Page rendering: the page inside its layouts inside `_app`, to an HTML document. Islands used
 * on the page are collected while rendering; if there are any, their props and the boot script
 * are appended to the body. A page without islands gets no script at all.
 */
import { type ComponentType, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { collectIslands, type IslandUse } from "./islands.ts";
import type { Bundle } from "./bundle.ts";
import type { LayoutProps, PageProps } from "./types.ts";

/** What is needed to render one page. */
export interface RenderInput {
  // deno-lint-ignore no-explicit-any
  page: ComponentType<PageProps<any>>;
  layouts: ComponentType<LayoutProps>[];
  app?: ComponentType<LayoutProps>;
  props: PageProps<unknown>;
  bundle: Bundle;
  /** Extra script URLs (dev reload). */
  devScript?: string;
}

function DefaultApp({ Component }: LayoutProps) {
  return h(
    "html",
    { lang: "en" },
    h("head", null, h("meta", { charset: "utf-8" })),
    h("body", null, h(Component, null)),
  );
}

/** Renders a full HTML document. */
export function renderPage(input: RenderInput): string {
  const { page, layouts, props, bundle } = input;
  const app = input.app ?? DefaultApp;
  // Build from the inside out: the page, then each layout (innermost first), then _app.
  let inner: () => VNode = () => h(page, props) as VNode;
  for (const layout of [...layouts].reverse()) {
    const child = inner;
    const Component = () => child();
    inner = () => h(layout, { ...props, Component }) as VNode;
  }
  const Component = inner;
  const { result: html, islands } = collectIslands(() =>
    renderToString(h(app, { ...props, Component }))
  );
  return "<!DOCTYPE html>" + injectScripts(html, islands, bundle, input.devScript);
}

function escapeJsonForHtml(json: string): string {
  return json.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function injectScripts(html: string, islands: IslandUse[], bundle: Bundle, dev?: string): string {
  let tail = "";
  if (islands.length) {
    const names = islands.map((i) => i.name);
    const files: Record<string, string> = {};
    for (const n of new Set(names)) {
      const f = bundle.entries.get(n);
      if (!f) throw new Error(`island ${n} has no bundle; restart the server to rebuild islands`);
      files[n] = f;
    }
    const data = { names, files, props: islands.map((i) => i.props) };
    tail += `<script type="application/json" id="__ts_islands">${
      escapeJsonForHtml(JSON.stringify(data))
    }</script>`;
    for (const f of Object.values(files)) tail += `<link rel="modulepreload" href="${f}">`;
    tail += `<script type="module" src="${bundle.boot}"></script>`;
  }
  if (dev) tail += `<script type="module" src="${dev}"></script>`;
  if (!tail) return html;
  const at = html.lastIndexOf("</body>");
  return at === -1 ? html + tail : html.slice(0, at) + tail + html.slice(at);
}
