export default function NotFound() {
  return <p id="nf">fixture not found</p>;
}
