import type { Handlers, PageProps } from "../../../types.ts";
export const handler: Handlers<{ id: string }> = {
  GET: (_req, ctx) =>
    ctx.params.id === "missing" ? ctx.renderNotFound() : ctx.render({ id: ctx.params.id }),
  POST: () => new Response("posted", { status: 201 }),
};
export default function Store({ data }: PageProps<{ id: string }>) {
  return <p id="store">store {data.id}</p>;
}
