export default function NewStore() {
  return <p id="new-store">new store form</p>;
}
