/**
 * The rule editor of `/alerts/rules`: rules as JSON (the same shape as the API and the
 * provisioning file), with templates per rule type, "Test rule" (when it would have fired over
 * the last 7 days) and save/delete. Provisioned rules are read-only here.
 */
import { useState } from "preact/hooks";

interface RuleRow {
  id: string;
  name: string;
  type: string;
  severity: string;
  enabled: boolean;
  provisioned: boolean;
  [k: string]: unknown;
}

interface Preview {
  summary: string;
  historical: boolean;
  evaluations: number;
  step_s: number;
  fired: { key: string; from: string; to: string | null; summary: string }[];
}

const TEMPLATES: Record<string, unknown> = {
  threshold: {
    id: "sales-low",
    name: "Sales below 50.00 in 30 min",
    type: "threshold",
    params: { metric: "sales", op: "below", value: 5000, window_min: 30 },
    scope: {},
    severity: "high",
    interval_s: 60,
    for_s: 300,
    resolve: { after_s: 600 },
    channels: [],
  },
  refund_rate: {
    id: "refunds-high",
    name: "Refund rate above 8%",
    type: "threshold",
    params: { metric: "refund_rate", op: "above", value: 8, window_min: 60 },
    severity: "medium",
    channels: [],
  },
  pacing: {
    id: "pacing-behind",
    name: "Pacing 25% behind last week",
    type: "threshold",
    params: { metric: "pacing", op: "below", value: -25 },
    resolve: { value: -15 },
    severity: "medium",
    channels: [],
  },
  anomaly: {
    id: "anomalies",
    name: "High anomalies",
    type: "anomaly",
    params: { min_severity: "high", lookback_min: 60 },
    channels: [],
  },
  inventory: {
    id: "stockouts",
    name: "Stock-outs",
    type: "inventory",
    params: { condition: "stockout" },
    interval_s: 300,
    channels: [],
  },
  pipeline: {
    id: "store-silent",
    name: "Store silent while open",
    type: "pipeline",
    params: { check: "store_silent", minutes: 20 },
    severity: "high",
    channels: [],
  },
};

const editable = (r: RuleRow) => {
  const { provisioned: _p, ...rest } = r;
  return JSON.stringify(rest, null, 2);
};

export default function RuleEditor({ rules }: { rules: RuleRow[] }) {
  const [list, setList] = useState(rules);
  const [text, setText] = useState(JSON.stringify(TEMPLATES.threshold, null, 2));
  const [editing, setEditing] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);

  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.error ?? `failed (${res.status})`);
    return json;
  };
  const parsed = () => {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(`the rule is not valid JSON: ${(e as Error).message}`);
    }
  };
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setMessage("");
    try {
      await f();
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const refresh = async () => setList((await send("GET", "/api/v1/alerts/rules")).rules);

  return (
    <div class="rule-editor">
      <div class="table-wrap">
        <table class="grid" id="rules">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Type</th>
              <th>Severity</th>
              <th>State</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {list.length === 0 && (
              <tr>
                <td colSpan={5} class="empty">No rules yet: start from a template below.</td>
              </tr>
            )}
            {list.map((r) => (
              <tr id={`rule-${r.id}`}>
                <td>
                  <strong>{r.name}</strong> <code>{r.id}</code>
                </td>
                <td>{r.type}</td>
                <td>{r.severity}</td>
                <td>
                  {r.enabled ? "enabled" : "disabled"}
                  {r.provisioned ? " · from file" : ""}
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => {
                      setText(editable(r));
                      setEditing(r.provisioned ? null : r.id);
                      setPreview(null);
                      setMessage(
                        r.provisioned
                          ? "provisioned from file: test only, edit the file to change it"
                          : "",
                      );
                    }}
                  >
                    {r.provisioned ? "View" : "Edit"}
                  </button>
                  {!r.provisioned && (
                    <button
                      type="button"
                      onClick={() =>
                        run(async () => {
                          if (!globalThis.confirm?.(`Delete rule ${r.id} and its alerts?`)) return;
                          await send("DELETE", `/api/v1/alerts/rules/${r.id}`);
                          await refresh();
                        })}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{editing ? `Edit ${editing}` : "New rule"}</h2>
      <p class="filters">
        Templates: {Object.keys(TEMPLATES).map((k) => (
          <button
            type="button"
            onClick={() => {
              setText(JSON.stringify(TEMPLATES[k], null, 2));
              setEditing(null);
              setPreview(null);
            }}
          >
            {k}
          </button>
        ))}
      </p>
      <textarea
        id="rule-json"
        rows={18}
        spellcheck={false}
        value={text}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
      />
      <p>
        <button
          type="button"
          id="test-rule"
          disabled={busy}
          onClick={() =>
            run(async () =>
              setPreview((await send("POST", "/api/v1/alerts/rules/preview", parsed())).preview)
            )}
        >
          Test rule (last 7 days)
        </button>{" "}
        <button
          type="button"
          class="primary"
          id="save-rule"
          disabled={busy}
          onClick={() =>
            run(async () => {
              const rule = parsed();
              if (editing) await send("PUT", `/api/v1/alerts/rules/${editing}`, rule);
              else await send("POST", "/api/v1/alerts/rules", rule);
              setEditing(rule.id);
              setMessage(`saved ${rule.id}`);
              await refresh();
            })}
        >
          Save
        </button>{" "}
        <span class="muted" role="status" id="rule-message">{message}</span>
      </p>
      {preview && (
        <section id="rule-preview">
          <h3>{preview.summary}</h3>
          <p class="muted">
            {preview.historical
              ? `${preview.evaluations} evaluations, every ${Math.round(preview.step_s / 60)} min`
              : "this rule type has no history: its current state only"}
          </p>
          <ul class="alerts">
            {preview.fired.map((f) => (
              <li>
                <strong>{f.key}</strong>
                <span>
                  {f.from.slice(0, 16).replace("T", " ")} →{" "}
                  {f.to ? f.to.slice(0, 16).replace("T", " ") : "still firing"} UTC
                </span>
                <span class="muted">{f.summary}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
