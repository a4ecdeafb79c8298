import Counter from "../islands/Counter.tsx";
export default function BadProp() {
  // deno-lint-ignore no-explicit-any
  const C = Counter as any;
  return <C start={1} since={new Date()} labels={{ inc: "+" }} onChange={() => {}} />;
}
