# The hosted inspector: `next start` as a non-root user, healthcheck on /api/health.
# Build: docker build -t mcp-auth-inspector .   Run several behind a proxy: deploy/compose.yaml.

# 1. Dependencies, dev ones included: `next build` type-checks with TypeScript.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. The build, then the dependencies pruned to what runs in production.
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
# next names @playwright/test as an optional peer, so prune keeps it (20 MB); next start never loads it.
RUN npx next build \
 && rm -rf .next/cache \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/@playwright node_modules/playwright node_modules/playwright-core

# 3. What `next start` needs and nothing else: the build output, production dependencies, the config.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json /app/next.config.ts ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
# Files stay root-owned and read-only to the app; it writes nothing at run time.
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["sh", "-c", "exec node node_modules/next/dist/bin/next start -H 0.0.0.0 -p \"$PORT\""]
