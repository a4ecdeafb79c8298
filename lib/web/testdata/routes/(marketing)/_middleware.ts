import type { MiddlewareContext } from "../../../types.ts";
export async function handler(_req: Request, ctx: MiddlewareContext) {
  const res = await ctx.next();
  res.headers.set("x-marketing", "1");
  return res;
}
