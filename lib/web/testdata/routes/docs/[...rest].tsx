import type { PageProps } from "../../../types.ts";
export default function DocsRest({ params }: PageProps) {
  return <p id="rest">rest={params.rest}</p>;
}
