/**
 * Test helper: a Web Push subscriber with its own keys (P-256 key pair and auth secret made
 * with WebCrypto) that decrypts aes128gcm payloads (RFC 8291 / RFC 8188) and verifies the
 * VAPID JWT (RFC 8292), as a browser's push service and user agent would.
 */

const enc = new TextEncoder();

/** URL-safe base64 without padding. */
export function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes URL-safe base64. */
export function unb64url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

async function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, bytes: number) {
  const key = await crypto.subtle.importKey("raw", ikm as BufferSource, "HKDF", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: salt as BufferSource, info: info as BufferSource },
    key,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

/** A browser-side push subscription that can decrypt what is pushed to it. */
export interface PushSubscriber {
  keys: { p256dh: string; auth: string };
  decrypt(body: Uint8Array): Promise<string>;
}

/** Creates a subscriber with fresh keys. */
export async function pushSubscriber(): Promise<PushSubscriber> {
  const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ]) as CryptoKeyPair;
  const uaPublic = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const auth = crypto.getRandomValues(new Uint8Array(16));
  return {
    keys: { p256dh: b64url(uaPublic), auth: b64url(auth) },
    async decrypt(body) {
      const salt = body.slice(0, 16);
      const idlen = body[20];
      const asPublic = body.slice(21, 21 + idlen);
      const ciphertext = body.slice(21 + idlen);
      const asKey = await crypto.subtle.importKey(
        "raw",
        asPublic as BufferSource,
        { name: "ECDH", namedCurve: "P-256" },
        false,
        [],
      );
      const ecdh = new Uint8Array(
        await crypto.subtle.deriveBits({ name: "ECDH", public: asKey }, pair.privateKey, 256),
      );
      const keyInfo = concat(enc.encode("WebPush: info\0"), uaPublic, asPublic);
      const ikm = await hkdf(auth, ecdh, keyInfo, 32);
      const cek = await hkdf(salt, ikm, enc.encode("Content-Encoding: aes128gcm\0"), 16);
      const nonce = await hkdf(salt, ikm, enc.encode("Content-Encoding: nonce\0"), 12);
      const key = await crypto.subtle.importKey("raw", cek as BufferSource, "AES-GCM", false, [
        "decrypt",
      ]);
      const plain = new Uint8Array(
        await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: nonce as BufferSource },
          key,
          ciphertext as BufferSource,
        ),
      );
      // Strip padding: the last record ends with delimiter 0x02 followed by zeros.
      let end = plain.length - 1;
      while (end >= 0 && plain[end] === 0) end--;
      if (plain[end] !== 2) throw new Error("bad padding delimiter");
      return new TextDecoder().decode(plain.slice(0, end));
    },
  };
}

/** Verifies a `vapid t=<jwt>, k=<key>` Authorization header; returns the JWT claims. */
export async function verifyVapid(
  header: string,
): Promise<{ aud: string; exp: number; sub: string; k: string }> {
  const t = /t=([^,\s]+)/.exec(header)?.[1];
  const k = /k=([^,\s]+)/.exec(header)?.[1];
  if (!t || !k) throw new Error(`not a VAPID header: ${header}`);
  const [h, p, s] = t.split(".");
  const key = await crypto.subtle.importKey(
    "raw",
    unb64url(k) as BufferSource,
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["verify"],
  );
  const ok = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    unb64url(s) as BufferSource,
    enc.encode(`${h}.${p}`),
  );
  if (!ok) throw new Error("VAPID signature does not verify");
  return { ...JSON.parse(new TextDecoder().decode(unb64url(p))), k };
}
