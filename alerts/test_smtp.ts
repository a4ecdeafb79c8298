/** Test helper: an SMTP sink on loopback (smtp-server) that keeps every message received. */
import { SMTPServer } from "smtp-server";

/** A received e-mail. */
export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A running sink. */
export interface SmtpSink extends AsyncDisposable {
  url: string;
  mails: Mail[];
}

/** Starts an SMTP server on 127.0.0.1, port 0, without auth or TLS. */
export async function smtpSink(): Promise<SmtpSink> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(
      stream: { on(ev: string, f: (c: Uint8Array) => void): void },
      session: {
        envelope: { mailFrom: { address: string } | false; rcptTo: { address: string }[] };
      },
      callback: () => void,
    ) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (c: Uint8Array) => chunks.push(c));
      stream.on("end", () => {
        const raw = new TextDecoder().decode(
          chunks.reduce((a, b) => {
            const o = new Uint8Array(a.length + b.length);
            o.set(a);
            o.set(b, a.length);
            return o;
          }, new Uint8Array()),
        );
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async [Symbol.asyncDispose]() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Undoes quoted-printable soft line breaks and =XX escapes, for assertions on bodies. */
export function unQuotedPrintable(s: string): string {
  return s.replace(/=\r?\n/g, "").replace(
    /=([0-9A-F]{2})/g,
    (_, h) => String.fromCharCode(parseInt(h, 16)),
  );
}
