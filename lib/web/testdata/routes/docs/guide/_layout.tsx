import type { LayoutProps } from "../../../../types.ts";
export default function GuideLayout({ Component }: LayoutProps) {
  return (
    <section class="guide-layout">
      <Component />
    </section>
  );
}
