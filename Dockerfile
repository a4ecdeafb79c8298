# Tillstream image: Deno from the npm package (as on our build machines), dependencies cached.
FROM node:20-bookworm-slim
RUN npm install -g deno@2.9.6 && deno --version
WORKDIR /app
COPY deno.json deno.lock ./
COPY . .
# Resolve and cache every npm dependency at build time, then type-check the entry point.
RUN deno install && deno cache main.ts && deno check main.ts
ENV TILLSTREAM_LOCAL_SERVICES=off PORT=8000
EXPOSE 8000
CMD ["deno", "run", "-A", "main.ts", "start"]
