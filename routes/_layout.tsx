/** Site chrome: header with navigation, main content. */
import type { LayoutProps } from "../lib/web/types.ts";
import { Nav } from "../components/Nav.tsx";

export default function Layout({ Component, url }: LayoutProps) {
  return (
    <>
      <Nav path={url.pathname} />
      <main class="page">
        <Component />
      </main>
    </>
  );
}
