/**
 * `/customers`: RFM segments and the customers most likely to stop buying, with the churn
 * model's reasons in plain words. Contact details are masked. `?segment=` filters the list.
 */
import type { Handlers, PageProps } from "../lib/web/types.ts";
import { count } from "../lib/dashboard/format.ts";
import { Panel } from "../components/Panel.tsx";
import { churnRiskList, segmentSummary } from "../models/pages.ts";

const SEGMENTS = ["champions", "loyal", "new", "at_risk", "hibernating", "lost"];

interface Data {
  segment: string | null;
  segments: Awaited<ReturnType<typeof segmentSummary>>;
  risks: Awaited<ReturnType<typeof churnRiskList>>;
}

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    ctx.state.title = "Customers";
    const raw = ctx.url.searchParams.get("segment");
    const segment = raw && SEGMENTS.includes(raw) ? raw : null;
    const sql = ctx.state.rt.sql;
    const [segments, risks] = await Promise.all([
      segmentSummary(sql),
      churnRiskList(sql, { segment: segment ?? undefined, limit: 100 }),
    ]);
    return ctx.render({ segment, segments, risks });
  },
};

const label = (s: string) => s.replace("_", " ");

export default function CustomersPage({ data }: PageProps<Data>) {
  const { segment, segments, risks } = data;
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Customers</h1>
          <p class="sub">RFM segments and churn risk, with the reasons behind each score</p>
        </div>
      </div>
      <div class="stat-row" id="segments">
        {segments.map((s) => (
          <a class="stat" href={`/customers?segment=${s.segment}`} data-segment={s.segment}>
            <b>{count(s.customers)}</b>
            <span>
              {label(s.segment)} · avg risk {Math.round(s.avg_probability * 100)} %
            </span>
          </a>
        ))}
      </div>
      <nav class="filters" aria-label="Segment">
        <a href="/customers" aria-current={segment ? undefined : "true"}>All</a>
        {SEGMENTS.map((s) => (
          <a href={`/customers?segment=${s}`} aria-current={segment === s ? "true" : undefined}>
            {label(s)}
          </a>
        ))}
      </nav>
      <Panel
        title={segment ? `Churn risk: ${label(segment)}` : "Most likely to churn"}
        id="churn-risk"
        empty={risks.length
          ? false
          : "No churn scores yet: the churn model trains once 50 customers have purchases (see Models), or run deno task models train churn."}
      >
        <p class="muted note">
          Equal risks are listed by what the customer has spent so far, most first.
        </p>
        <div class="table-wrap">
          <table class="grid compact stack-sm" id="churn-list">
            <thead>
              <tr>
                <th>Customer</th>
                <th class="num">Risk</th>
                <th>Segment</th>
                <th>Why</th>
                <th class="hide-sm">E-mail</th>
                <th class="hide-sm">Phone</th>
                <th class="num hide-sm">Orders</th>
              </tr>
            </thead>
            <tbody>
              {risks.map((r) => (
                <tr data-customer={r.customer_id}>
                  <td>{r.customer_id}</td>
                  <td class="num" data-label="risk">{Math.round(r.probability * 100)} %</td>
                  <td>{label(r.segment)}</td>
                  <td class="why">
                    {r.reasons.length
                      ? r.reasons.join("; ")
                      : <span class="muted note">no single factor stands out</span>}
                  </td>
                  <td class="hide-sm">{r.email}</td>
                  <td class="hide-sm">{r.phone}</td>
                  <td class="num hide-sm">{r.orders ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
    </>
  );
}
