import { useState } from "preact/hooks";
interface Props {
  start: number;
  since: Date;
  labels: { inc: string };
}
export default function Counter({ start, since, labels }: Props) {
  const [n, setN] = useState(start);
  return (
    <div class="counter">
      <output id="count">{n}</output>
      <span id="since">
        {since instanceof Date ? `date:${since.getUTCFullYear()}` : "not-a-date"}
      </span>
      <button id="inc" type="button" onClick={() => setN(n + 1)}>{labels.inc}</button>
    </div>
  );
}
