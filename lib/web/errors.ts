/** Errors a handler can throw to answer with a status and a message for the user. */

/**
 * An error with an HTTP status. Its message is shown to the user (as JSON `{error}` for API
 * requests, on the error page otherwise), so write it for them: what is wrong, how to fix it.
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers?: HeadersInit,
  ) {
    super(message);
  }
}

/** True for API paths and for clients that ask for JSON. */
export function wantsJson(req: Request, url: URL): boolean {
  if (url.pathname.startsWith("/api/")) return true;
  const accept = req.headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}
