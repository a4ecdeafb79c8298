/** Page for unknown addresses. */
import type { PageProps } from "../lib/web/types.ts";

export default function NotFound({ url }: PageProps) {
  return (
    <main class="page">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{url.pathname}</code>. Go to the <a href="/">overview</a>.
      </p>
    </main>
  );
}
