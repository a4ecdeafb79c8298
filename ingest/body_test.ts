import assert from "node:assert/strict";
import fc from "fast-check";
import { bodyFormat, parseBody, readCapped, TooLarge } from "./body.ts";
import { validateEvent } from "../lib/events.ts";

const enc = new TextEncoder();
const ctx = { now: Date.parse("2026-11-25T12:00:00Z"), stores: new Map() };

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(ch);
      c.close();
    },
  });
}

Deno.test("body - content types", () => {
  assert.equal(bodyFormat("application/json"), "json");
  assert.equal(bodyFormat("Application/JSON; charset=utf-8"), "json");
  assert.equal(bodyFormat("application/x-ndjson"), "ndjson");
  assert.equal(bodyFormat("application/ndjson"), "ndjson");
  assert.equal(bodyFormat("text/plain"), null);
  assert.equal(bodyFormat(null), null);
});

Deno.test("body - readCapped stops at the limit and joins chunks", async () => {
  const parts = [enc.encode("ab"), enc.encode("cd"), enc.encode("e")];
  assert.deepEqual(await readCapped(streamOf(parts), 5), enc.encode("abcde"));
  await assert.rejects(readCapped(streamOf(parts), 4), TooLarge);
  assert.deepEqual(await readCapped(null), new Uint8Array());
});

Deno.test("body - NDJSON indexes count events, not lines; bad UTF-8 is refused", () => {
  const r = parseBody(enc.encode('\n{"a":1}\r\n\n  \nnope\n[2]'), "ndjson");
  assert.deepEqual(r, {
    ok: true,
    items: [
      { index: 0, value: { a: 1 } },
      {
        index: 1,
        error: "line 5 is not valid JSON (Unexpected token 'o', \"nope\" is not valid JSON)",
      },
      { index: 2, value: [2] },
    ],
  });
  assert.deepEqual(parseBody(new Uint8Array([0x5b, 0xff, 0x5d]), "json"), {
    ok: false,
    error: "body is not valid UTF-8; send UTF-8 encoded JSON",
  });
});

Deno.test("body - property: arbitrary bytes never crash the parser nor validate", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 2000 }),
      fc.constantFrom("json", "ndjson"),
      (bytes, f) => {
        let parsed;
        try {
          parsed = parseBody(bytes, f as "json" | "ndjson", 50);
        } catch (e) {
          assert.ok(e instanceof TooLarge);
          return;
        }
        if (!parsed.ok) return assert.equal(typeof parsed.error, "string");
        for (const item of parsed.items) {
          if ("error" in item) continue;
          assert.equal(validateEvent(item.value, ctx).ok, false);
        }
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("body - property: arbitrary text lines never crash NDJSON parsing", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.json()), { maxLength: 60 }), (lines) => {
      let parsed;
      try {
        parsed = parseBody(enc.encode(lines.join("\n")), "ndjson", 40);
      } catch (e) {
        assert.ok(e instanceof TooLarge);
        assert.ok(lines.filter((l) => l.trim()).length > 40);
        return;
      }
      assert.ok(parsed.ok);
      assert.equal(
        parsed.items.length,
        lines.flatMap((l) => l.split("\n")).filter((l) => l.trim()).length,
      );
      parsed.items.forEach((item, i) => assert.equal(item.index, i));
    }),
    { numRuns: 500 },
  );
});
