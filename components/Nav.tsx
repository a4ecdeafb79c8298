/** The top navigation bar; marks the current section. */

const LINKS: [href: string, label: string][] = [
  ["/", "Overview"],
  ["/stores", "Stores"],
  ["/products", "Products"],
  ["/inventory", "Inventory"],
  ["/forecasts", "Forecasts"],
  ["/customers", "Customers"],
  ["/alerts", "Alerts"],
  ["/models", "Models"],
  ["/status", "Status"],
];

/** Navigation with the link for `path`'s section marked current. */
export function Nav({ path }: { path: string }) {
  const current = (href: string) => href === "/" ? path === "/" : path.startsWith(href);
  return (
    <header class="topbar">
      <a class="brand" href="/">Tillstream</a>
      <nav>
        {LINKS.map(([href, label]) => (
          <a href={href} aria-current={current(href) ? "page" : undefined}>{label}</a>
        ))}
      </nav>
    </header>
  );
}
