import type { PageProps } from "../../types.ts";
export default function Err({ data }: PageProps<{ status: number; message: string }>) {
  return <p id="err">error {data.status}: {data.message}</p>;
}
