import type { PageProps } from "../../types.ts";
export default function About({ state }: PageProps) {
  return <p id="about">about {state.trail.join(",")}</p>;
}
