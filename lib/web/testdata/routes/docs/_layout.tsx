import type { LayoutProps } from "../../../types.ts";
export default function DocsLayout({ Component }: LayoutProps) {
  return (
    <div class="docs-layout">
      <Component />
    </div>
  );
}
