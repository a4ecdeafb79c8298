import Counter from "../islands/Counter.tsx";
export default function IslandPage() {
  return (
    <div>
      <p id="static-part">static</p>
      <Counter start={3} since={new Date("2026-01-02T03:04:05Z")} labels={{ inc: "+1" }} />
    </div>
  );
}
