/** Overview `/`: the whole chain today, live (lib/dashboard/overview.ts gathers the data). */
import type { Handlers, PageProps } from "../lib/web/types.ts";
import { loadOverview, type Overview } from "../lib/dashboard/overview.ts";
import { OverviewBody } from "../components/OverviewBody.tsx";

export const handler: Handlers<Overview> = {
  async GET(_req, ctx) {
    ctx.state.title = "Overview";
    return ctx.render(await loadOverview(ctx.state.rt));
  },
};

export default function OverviewPage({ data }: PageProps<Overview>) {
  return <OverviewBody data={data} title="Today across all stores" />;
}
