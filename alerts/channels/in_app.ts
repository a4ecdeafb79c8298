/** In-app channel: the grouped message on `live:alerts`, shown by the dashboard's alert feed. */
import { publishNotification } from "../live.ts";
import type { Sender } from "./types.ts";

/** Sends to the in-app feed. */
export const sendInApp: Sender = async ({ rt, message }) => {
  await publishNotification(rt, message);
  return {};
};
