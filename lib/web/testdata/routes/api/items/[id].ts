import type { Handlers } from "../../../../types.ts";
export const handler: Handlers = {
  GET: (_req, ctx) => Response.json({ id: ctx.params.id, trail: ctx.state.trail }),
  DELETE: (_req, ctx) =>
    new Response(null, { status: 204, headers: { "x-deleted": ctx.params.id } }),
};
