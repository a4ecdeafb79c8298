import type { MiddlewareContext } from "../../../types.ts";
export async function handler(_req: Request, ctx: MiddlewareContext) {
  ctx.state.trail.push("api");
  const res = await ctx.next();
  res.headers.set("x-api", "1");
  return res;
}
