/**
 * Static files from `static/`, served at the root (static/app.css → /app.css) with their
 * content type, an ETag, and caching: one hour by default, a year and `immutable` when the
 * URL carries the file's content hash (`asset("/app.css")` → `/app.css?v=1a2b3c4d`).
 */

/** Indexed static files. */
export interface StaticFiles {
  dir: string;
  /** URL path → content hash (first 8 hex of SHA-256). */
  hashes: Map<string, string>;
}

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json",
  webmanifest: "application/manifest+json",
  html: "text/html; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  woff2: "font/woff2",
  woff: "font/woff",
  map: "application/json",
};

let active: StaticFiles | undefined;

/** Content type for a file name. */
export function contentType(name: string): string {
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}

async function hashFile(path: string): Promise<string> {
  const data = await Deno.readFile(path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest.slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Indexes `dir` (missing dir: no static files). */
export async function loadStatic(dir: string): Promise<StaticFiles> {
  const hashes = new Map<string, string>();
  const walk = async (d: string, prefix: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(`${d}/${e.name}`, `${prefix}/${e.name}`);
      else if (e.isFile) hashes.set(`${prefix}/${e.name}`, await hashFile(`${d}/${e.name}`));
    }
  };
  try {
    await walk(dir, "");
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  active = { dir, hashes };
  return active;
}

/** URL of a static file with its content hash, for immutable caching. */
export function asset(path: string): string {
  const hash = active?.hashes.get(path);
  return hash ? `${path}?v=${hash}` : path;
}

/** Serves `pathname` from the static files, or returns null when it is not one of them. */
export async function serveStatic(
  files: StaticFiles,
  req: Request,
  pathname: string,
): Promise<Response | null> {
  const hash = files.hashes.get(pathname);
  if (!hash) return null;
  const etag = `"${hash}"`;
  const versioned = new URL(req.url).searchParams.get("v") === hash;
  const headers = new Headers({
    "content-type": contentType(pathname),
    etag,
    "cache-control": versioned ? "public, max-age=31536000, immutable" : "public, max-age=3600",
  });
  if (req.headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers });
  }
  const body = req.method === "HEAD" ? null : await Deno.readFile(files.dir + pathname);
  return new Response(body as BodyInit | null, { headers });
}
