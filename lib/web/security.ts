/** Security headers on every response. */
import type { MiddlewareHandler } from "hono";

/**
 * Content-Security-Policy allowing only this origin: no inline scripts or styles (islands get
 * their props from a JSON script element and their code from /_islands/), no framing.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Hono middleware setting the headers after the handler ran. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    const set = (k: string, v: string) => {
      if (!h.has(k)) h.set(k, v);
    };
    try {
      set("content-security-policy", CSP);
      set("x-content-type-options", "nosniff");
      set("referrer-policy", "strict-origin-when-cross-origin");
      set("x-frame-options", "DENY");
      set("cross-origin-opener-policy", "same-origin");
    } catch {
      // Immutable headers (a Response.redirect, a fetched response): copy into a new response.
      const copy = new Response(c.res.body, c.res);
      copy.headers.set("content-security-policy", CSP);
      copy.headers.set("x-content-type-options", "nosniff");
      copy.headers.set("referrer-policy", "strict-origin-when-cross-origin");
      copy.headers.set("x-frame-options", "DENY");
      c.res = copy;
    }
  };
}
