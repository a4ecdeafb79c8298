/**
 * E-mail over SMTP with nodemailer (TILLSTREAM_SMTP_URL, From TILLSTREAM_MAIL_FROM): an HTML
 * and a plain-text part, each listing the alerts with links to them under
 * TILLSTREAM_PUBLIC_URL. The delivery's target is the recipient list (comma-separated).
 */
import nodemailer from "nodemailer";
import type { AlertMessage } from "../message.ts";
import { DeliveryError, type Sender } from "./types.ts";

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

const COLOR: Record<string, string> = {
  low: "#64748b",
  medium: "#d97706",
  high: "#dc2626",
  critical: "#7f1d1d",
};

/** Subject, text and HTML of the e-mail for a message. */
export function emailContent(m: AlertMessage) {
  const text = `${m.title}\n\n${m.rule.condition}\n\n` +
    m.alerts.map((a) => `- ${a.summary}\n  ${a.url}`).join("\n") +
    `\n\nOpen in Tillstream: ${m.url}\n`;
  const color = m.kind === "resolved" ? "#15803d" : COLOR[m.severity] ?? "#334155";
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<h2 style="color:${color};margin:0 0 8px">${esc(m.title)}</h2>
<p style="margin:0 0 12px;color:#475569">${esc(m.rule.condition)}</p>
<ul>${m.alerts.map((a) => `<li><a href="${esc(a.url)}">${esc(a.summary)}</a></li>`).join("")}</ul>
<p><a href="${
    esc(m.url)
  }" style="background:${color};color:#fff;padding:8px 14px;border-radius:6px;text-decoration:none">Open in Tillstream</a></p>
</body></html>`;
  return { subject: m.title, text, html };
}

/** Sends the message by e-mail. */
export const sendEmail: Sender = async ({ rt, delivery, message, signal }) => {
  const url = rt.config.TILLSTREAM_SMTP_URL;
  if (!url) {
    throw new DeliveryError(
      "e-mail is off: set TILLSTREAM_SMTP_URL, e.g. smtp://user:pass@smtp.example.com:587",
      undefined,
      true,
    );
  }
  const transport = nodemailer.createTransport(url, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 10_000,
  });
  const aborted = new Promise<never>((_, reject) =>
    signal.addEventListener("abort", () => reject(new DeliveryError("SMTP send timed out")), {
      once: true,
    })
  );
  try {
    const info = await Promise.race([
      transport.sendMail({
        from: rt.config.TILLSTREAM_MAIL_FROM,
        to: delivery.target,
        ...emailContent(message),
      }),
      aborted,
    ]);
    if (info.rejected?.length) {
      throw new DeliveryError(`SMTP rejected ${info.rejected.join(", ")}`);
    }
    return {};
  } finally {
    transport.close();
  }
};
