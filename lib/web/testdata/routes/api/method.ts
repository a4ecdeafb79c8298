export function handler(req: Request) {
  return new Response(`method ${req.method}`);
}
