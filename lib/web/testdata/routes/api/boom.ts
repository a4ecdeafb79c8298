export const handler = {
  GET(): Response {
    throw new Error("secret internals: select * from users");
  },
};
