/** Page shown when a request fails; never shows internals. */
import type { PageProps } from "../lib/web/types.ts";

export default function ErrorPage({ data }: PageProps<{ status: number; message: string }>) {
  return (
    <main class="page">
      <h1>{data.status >= 500 ? "Something went wrong" : "That did not work"}</h1>
      <p>{data.message}</p>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </main>
  );
}
