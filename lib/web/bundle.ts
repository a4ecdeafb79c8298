/**
 * Island bundles: esbuild builds one entry per island plus a boot script, with code splitting
 * (Preact is one shared chunk) and content-hashed names, served from memory with immutable
 * caching. In dev mode (`deno task dev`) the process restarts on change and rebuilds them.
 */
import * as esbuild from "esbuild";
import type { Island } from "./islands.ts";

/** Built files by URL path, plus the URL of each island's entry and of the boot script. */
export interface Bundle {
  files: Map<string, Uint8Array>;
  entries: Map<string, string>;
  boot: string;
  /** Bumped on every rebuild (dev reload). */
  version: number;
}

/** URL prefix of bundled files. */
export const BUNDLE_PREFIX = "/_islands/";

const BOOT_SOURCE = `
const data = JSON.parse(document.getElementById("__ts_islands").textContent);
const revive = (_k, v) => v && typeof v === "object" && typeof v.$date === "string" && Object.keys(v).length === 1 ? new Date(v.$date) : v;
const props = JSON.parse(JSON.stringify(data.props), revive);
const roots = document.querySelectorAll("ts-island");
for (const el of roots) {
  const i = Number(el.dataset.i);
  const name = data.names[i];
  import(data.files[name]).then((m) => m.default(el, props[i])).catch((e) => {
    console.error("island " + name + " failed to hydrate", e);
  });
}
`;

function entrySource(island: Island): string {
  return `import C from ${JSON.stringify(island.file)};
import { h, hydrate } from "preact";
export default (el, props) => hydrate(h(C, props), el);
`;
}

/** Builds every island; returns an empty bundle when there are none. */
export async function buildIslands(islands: Island[], root: string, dev = false): Promise<Bundle> {
  const files = new Map<string, Uint8Array>();
  const entries = new Map<string, string>();
  if (islands.length === 0) return { files, entries, boot: "", version: Date.now() };
  const virtual = new Map<string, string>(islands.map((i) => [`island:${i.name}`, entrySource(i)]));
  virtual.set("island:_boot", BOOT_SOURCE);
  const result = await esbuild.build({
    entryPoints: [...virtual.keys()].map((k) => ({ in: k, out: k.slice("island:".length) })),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["es2020"],
    minify: !dev,
    sourcemap: dev ? "inline" : false,
    write: false,
    outdir: "/out",
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    absWorkingDir: root,
    jsx: "automatic",
    jsxImportSource: "preact",
    logLevel: "silent",
    metafile: true,
    plugins: [{
      name: "tillstream-islands",
      setup(build) {
        build.onResolve(
          { filter: /^island:/ },
          (args) => ({ path: args.path, namespace: "island" }),
        );
        build.onLoad({ filter: /.*/, namespace: "island" }, (args) => ({
          contents: virtual.get(args.path)!,
          loader: "js",
          resolveDir: root,
        }));
      },
    }],
  });
  for (const out of result.outputFiles) {
    files.set(BUNDLE_PREFIX + out.path.replace(/^\/out\//, ""), out.contents);
  }
  for (const [outPath, meta] of Object.entries(result.metafile!.outputs)) {
    const ep = meta.entryPoint?.replace(/^(island:)+/, "");
    if (!ep) continue;
    entries.set(ep, BUNDLE_PREFIX + outPath.replace(/^(\.\.\/)*out\//, "").replace(/^\/out\//, ""));
  }
  const boot = entries.get("_boot")!;
  entries.delete("_boot");
  // Bundles are built once per process (dev restarts the process on change): stop esbuild's
  // service now rather than keep a child process per server, which `deno run --watch`
  // restarts would otherwise leak, one per restart.
  await esbuild.stop();
  return { files, entries, boot, version: Date.now() };
}

/** Stops esbuild's service (tests call it so no child process outlives them). */
export async function stopBundler(): Promise<void> {
  await esbuild.stop();
}
