import type { LayoutProps } from "../../types.ts";
export default function App({ Component }: LayoutProps) {
  return (
    <html>
      <head>
        <title>fixture</title>
      </head>
      <body class="app">
        <Component />
      </body>
    </html>
  );
}
