import type { MiddlewareContext } from "../../types.ts";
export async function handler(_req: Request, ctx: MiddlewareContext) {
  ctx.state.trail = ["root"];
  const res = await ctx.next();
  res.headers.set("x-root", "1");
  return res;
}
