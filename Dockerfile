# syntax=docker/dockerfile:1
#
# Trợ lý CTXH as compiled JavaScript (npm run build → dist/), on Node 20.
#
#   docker build -t tro-ly-ctxh .
#   docker run -p 3978:3978 -v ctxh-data:/var/lib/ctxh tro-ly-ctxh      # embedded SQLite store
#   docker run -p 3978:3978 -e MONGODB_URI=mongodb://… -e DIRECTLINE_TOKEN_SECRET=… tro-ly-ctxh
#
# A province with MongoDB and two instances: deploy/compose.yaml.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile TypeScript, then drop the dev dependencies ----
FROM ${NODE_IMAGE} AS build
# better-sqlite3 downloads a prebuilt binary when one matches this Node and platform;
# otherwise it compiles from source, which needs python3, make and g++.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# linux/amd64 only: a dev dependency (the jongodb test server binary) is x64 glibc only,
# so npm ci refuses other platforms (on arm64: docker build --platform linux/amd64 …).
RUN npm ci --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
# Production dependencies only (the native better-sqlite3 build is kept: same base image
# as the runtime stage, so the same glibc and Node ABI).
RUN npm prune --omit=dev --no-fund --no-audit

# ---- runtime: production dependencies, compiled code and the files read at run time ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3978 \
    DATA_DIR=/var/lib/ctxh
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at run time from the project root (src/server/paths.ts) or from the working
# directory (KNOWLEDGE_DIR=./knowledge, CANNED_RESPONSES_FILE=./config/…): not compiled.
COPY src/web ./src/web
COPY src/console/web ./src/console/web
COPY risk-lexicon ./risk-lexicon
COPY data/admin-units ./data/admin-units
COPY knowledge ./knowledge
COPY config ./config
# The embedded store (the SQLite file) lives in DATA_DIR, outside /app so a volume never
# hides the shipped data/admin-units. With MONGODB_URI it stays empty.
RUN mkdir -p /var/lib/ctxh && chown node:node /var/lib/ctxh
USER node
VOLUME ["/var/lib/ctxh"]
EXPOSE 3978
# GET /healthz answers {"ok":true,…} once the store is open and the knowledge is loaded.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Console accounts: docker exec -it <container> node dist/src/cli/user-add.js --username … --role admin
CMD ["node", "--enable-source-maps", "dist/src/server/main.js"]
