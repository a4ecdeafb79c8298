import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { stopBundler } from "./bundle.ts";
import type { Runtime } from "../runtime.ts";

const fixtures = new URL("./testdata/", import.meta.url).pathname;
// Routing needs no services: the fixture routes never touch the runtime.
const rt = {} as Runtime;
const app = await createApp(rt, {
  routesDir: `${fixtures}routes`,
  islandsDir: `${fixtures}islands`,
  staticDir: `${fixtures}static`,
});
await stopBundler();

const text = async (path: string, init?: RequestInit) => {
  const res = await app.request(path, init);
  return { res, body: await res.text() };
};

Deno.test("router - index and static routes render inside _app", async () => {
  const { res, body } = await text("/");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /text\/html/);
  assert.ok(body.startsWith("<!DOCTYPE html>"));
  assert.match(body, /<body class="app"><p id="home">home<\/p><\/body>/);
});

Deno.test("router - [id] passes the param; a static sibling wins over the param", async () => {
  assert.match((await text("/stores/s-42")).body, /store s-42/);
  assert.match((await text("/stores/caf%C3%A9")).body, /store café/);
  assert.match((await text("/stores/new")).body, /new store form/);
});

Deno.test("router - [...rest] matches any depth, and the folder index wins for the bare path", async () => {
  assert.match((await text("/docs/a/b/c")).body, /rest=a\/b\/c/);
  assert.match((await text("/docs/x")).body, /rest=x/);
  assert.match((await text("/docs")).body, /docs index/);
});

Deno.test("router - (group) folders add no path segment and scope their middleware", async () => {
  const { res, body } = await text("/pricing");
  assert.equal(res.status, 200);
  assert.match(body, /pricing/);
  assert.equal(res.headers.get("x-marketing"), "1");
  assert.equal((await app.request("/about")).headers.get("x-marketing"), null);
  assert.equal((await app.request("/(marketing)/pricing")).status, 404);
});

Deno.test("router - nested _layout files wrap from the outside in", async () => {
  const { body } = await text("/docs/guide/intro");
  assert.match(
    body,
    /<div class="docs-layout"><section class="guide-layout"><p id="intro">intro<\/p><\/section><\/div>/,
  );
  // The guide layout applies only inside guide/.
  assert.doesNotMatch((await text("/docs/x")).body, /guide-layout/);
});

Deno.test("router - _middleware runs for its folder and below, root first", async () => {
  const res = await app.request("/api/items/7");
  assert.deepEqual(await res.json(), { id: "7", trail: ["root", "api"] });
  assert.equal(res.headers.get("x-root"), "1");
  assert.equal(res.headers.get("x-api"), "1");
  const about = await app.request("/about");
  assert.equal(about.headers.get("x-api"), null, "api middleware must not run outside api/");
  assert.match(await about.text(), /about root/);
});

Deno.test("router - unknown paths render _404 with status 404 (JSON under /api)", async () => {
  const { res, body } = await text("/nope/nothing");
  assert.equal(res.status, 404);
  assert.match(body, /fixture not found/);
  assert.equal(res.headers.get("x-root"), "1", "root middleware runs for 404s too");
  const api = await app.request("/api/nothing");
  assert.equal(api.status, 404);
  assert.match((await api.json()).error, /no such endpoint: GET \/api\/nothing/);
});

Deno.test("router - ctx.renderNotFound answers 404 from a handler", async () => {
  const { res, body } = await text("/stores/missing");
  assert.equal(res.status, 404);
  assert.match(body, /fixture not found/);
});

Deno.test("router - an unsupported method answers 405 with Allow", async () => {
  const res = await app.request("/api/items/7", { method: "PUT" });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("allow"), "GET, HEAD, DELETE");
  assert.match((await res.json()).error, /method PUT not allowed/);
  const page = await app.request("/about", { method: "POST" });
  assert.equal(page.status, 405);
  assert.equal(page.headers.get("allow"), "GET, HEAD");
  await page.body?.cancel();
  const del = await app.request("/api/items/9", { method: "DELETE" });
  assert.equal(del.status, 204);
  assert.equal(del.headers.get("x-deleted"), "9");
});

Deno.test("router - HEAD falls back to GET without a body", async () => {
  const res = await app.request("/stores/5", { method: "HEAD" });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /text\/html/);
  assert.equal(await res.text(), "");
  const fn = await app.request("/api/method", { method: "HEAD" });
  assert.equal(fn.status, 200);
  assert.equal(await fn.text(), "");
});

Deno.test("router - a handler function receives every method", async () => {
  for (const method of ["GET", "POST", "PATCH"]) {
    assert.equal(await (await app.request("/api/method", { method })).text(), `method ${method}`);
  }
});

Deno.test("router - thrown errors render _error (JSON under /api) without leaking internals", async () => {
  const page = await text("/boom");
  assert.equal(page.res.status, 500);
  assert.match(page.body, /error 500: Something went wrong on our side/);
  assert.doesNotMatch(page.body, /secret internals/);
  const api = await app.request("/api/boom");
  assert.equal(api.status, 500);
  const json = await api.json();
  assert.doesNotMatch(JSON.stringify(json), /secret/);
  const teapot = await text("/teapot");
  assert.equal(teapot.res.status, 418);
  assert.match(teapot.body, /I am a teapot: ask for coffee elsewhere/);
});

Deno.test("router - every response carries the security headers", async () => {
  for (const path of ["/", "/api/items/1", "/nope", "/site.css", "/api/boom"]) {
    const res = await app.request(path);
    await res.body?.cancel();
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    assert.ok(res.headers.get("referrer-policy"), path);
  }
});

Deno.test("static - files served with content type, ETag and caching; hashed URLs are immutable", async () => {
  const res = await app.request("/site.css");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/css; charset=utf-8");
  assert.equal(res.headers.get("cache-control"), "public, max-age=3600");
  const etag = res.headers.get("etag")!;
  assert.equal(await res.text(), await Deno.readTextFile(`${fixtures}static/site.css`));
  const again = await app.request("/site.css", { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  const hashed = await app.request(`/site.css?v=${etag.replaceAll('"', "")}`);
  await hashed.body?.cancel();
  assert.equal(hashed.headers.get("cache-control"), "public, max-age=31536000, immutable");
});

Deno.test("islands - a page without islands ships no script", async () => {
  const { body } = await text("/about");
  assert.doesNotMatch(body, /<script/);
});

Deno.test("islands - an island page carries its props and a hashed, immutable bundle", async () => {
  const { body } = await text("/island");
  assert.match(body, /<ts-island data-i="0"><div class="counter"><output id="count">3<\/output>/);
  const props = /<script type="application\/json" id="__ts_islands">(.*?)<\/script>/.exec(body);
  assert.ok(props, "props script present");
  const data = JSON.parse(props[1]);
  assert.deepEqual(data.props[0], {
    start: 3,
    since: { $date: "2026-01-02T03:04:05.000Z" },
    labels: { inc: "+1" },
  });
  const boot = /<script type="module" src="(\/_islands\/_boot-[A-Z0-9]+\.js)"><\/script>/.exec(
    body,
  );
  assert.ok(boot, "boot script is hashed");
  const js = await app.request(boot[1]);
  assert.equal(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.match(js.headers.get("content-type")!, /javascript/);
  await js.body?.cancel();
  assert.match(data.files.Counter, /^\/_islands\/Counter-[A-Z0-9]+\.js$/);
});

Deno.test("islands - a function prop is refused with the island's and the prop's names", async () => {
  const { res, body } = await text("/badprop");
  assert.equal(res.status, 500);
  assert.doesNotMatch(body, /<script/);
  // The reason goes to the log for the developer; check the serialiser's message directly.
  const { serializeProps } = await import("./islands.ts");
  assert.throws(
    () => serializeProps("Counter", { start: 1, onChange: () => {} }),
    /island Counter: prop "onChange" is a function/,
  );
  assert.throws(
    () => serializeProps("Counter", { nested: { fn: () => {} } }),
    /prop "nested\.fn" is a function/,
  );
});
