# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Run: production dependencies and compiled JavaScript only, as the unprivileged `node` user.
FROM node:20-slim
# --max-semi-space-size: the main thread's young generation at 2 MB semi-spaces instead of up to 16 (a size, not a
# limit: nothing fails for it; the parse workers get theirs in parse-pool.ts). README: Memory.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=2 \
    PORT=3000 \
    DATA_DIR=/app/data \
    FEEDS_FILE=/app/feeds.yaml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
COPY feeds.yaml ./feeds.yaml
# `khabar <command>` inside the container (npm does not link a package's own bin on `npm ci`).
RUN chmod +x dist/src/cli.js && ln -s /app/dist/src/cli.js /usr/local/bin/khabar
# PGlite's folder when no DATABASE_URL is set; mount a volume here to keep it.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM directly for a graceful shutdown.
CMD ["node", "dist/src/cli.js", "start"]
