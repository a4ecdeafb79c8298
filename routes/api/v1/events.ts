/** POST /api/v1/events: the HTTP connector (logic in ingest/http.ts). */
import type { Handlers } from "../../../lib/web/types.ts";
import { handleEvents } from "../../../ingest/http.ts";

export const handler: Handlers = {
  POST: (req, ctx) => handleEvents(req, ctx.state.rt),
};
