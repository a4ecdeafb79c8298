import { HttpError } from "../../errors.ts";
export const handler = {
  GET(): Response {
    throw new HttpError(418, "I am a teapot: ask for coffee elsewhere");
  },
};
