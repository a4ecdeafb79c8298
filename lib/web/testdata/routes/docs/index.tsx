export default function DocsIndex() {
  return <p id="docs-index">docs index</p>;
}
