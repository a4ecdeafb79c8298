/**
 * TensorFlow.js on the WASM backend. Under Deno the .wasm binaries live in the npm package's
 * dist/ folder; we point tfjs at them with a file:// URL (Deno's fetch reads file URLs). If the
 * WASM backend cannot start, we fall back to the pure-JS "cpu" backend and say so once, because
 * training is then about 3x slower.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { log } from "../lib/log.ts";

export { tf };

let ready: Promise<string> | undefined;

/** Where the tfjs-backend-wasm .wasm files are (a file:// URL ending in "/"). */
export function wasmDir(): string {
  return new URL("../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url).href;
}

/**
 * Initialises tfjs once per process and returns the backend in use ("wasm", or "cpu" after a
 * logged fallback). Every model calls this before building or loading a network.
 */
export function initTf(): Promise<string> {
  ready ??= (async () => {
    try {
      setWasmPaths(wasmDir());
      const ok = await tf.setBackend("wasm");
      await tf.ready();
      if (!ok || tf.getBackend() !== "wasm") throw new Error(`backend is ${tf.getBackend()}`);
      return "wasm";
    } catch (e) {
      log.warn("tfjs WASM backend failed to start; using the slower cpu backend", {
        error: e instanceof Error ? e.message : String(e),
        wasmDir: wasmDir(),
      });
      await tf.setBackend("cpu");
      await tf.ready();
      return "cpu";
    }
  })();
  return ready;
}

/** The seeded PRNG (lib/random.ts), re-exported so the models sample and initialise reproducibly. */
export { rng } from "../lib/random.ts";

/** Fisher-Yates shuffle of `0..n-1` with a seeded generator. */
export function shuffledIndex(n: number, random: () => number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx;
}
