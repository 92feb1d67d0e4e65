# syntax=docker/dockerfile:1
# The production image: one image, two roles chosen by the command (`node dist/main.js api` or
# `worker`; `all` runs both in one process). It holds the built service (dist/), its production
# dependencies, the migrations and a workflow bundle made at build time, nothing else: no
# TypeScript, no tsx, no emulators, no embedded database. See README "Deploying" → "The image".

# Node 24 is the maintained LTS line (the SDK needs >= 20.3; Node 20 reached end of life in April 2026).
ARG NODE_IMAGE=node:24-bookworm-slim

# Compiles the service and bundles its workflows (the bundler, webpack and swc, run only here).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --workspaces=false: the emulators' workspace (packages/) is neither copied nor linked.
RUN npm ci --workspaces=false --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
RUN npm run build && node dist/cli/bundle-workflows.js dist/workflow-bundle.js

# Production dependencies alone, installed from the lockfile: dev dependencies (tsx, the
# embedded databases, the test and lint tools) and the emulators' workspace are left out.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
WORKDIR /app
# MALLOC_ARENA_MAX: two malloc arenas instead of glibc's eight per core (a worker's RSS at 5,000
# open workflows: 573 MiB with the default, 482 with two; README "Speed, measured").
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    MALLOC_ARENA_MAX=2
# Owned by root and read-only to the service's user.
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY migrations migrations
# `calsync <command>` in the container: the operator CLI (README "Operator CLI").
COPY bin/calsync.cjs bin/calsync.cjs
RUN ln -s /app/bin/calsync.cjs /usr/local/bin/calsync
# The API states package.json's version in /openapi.json.
COPY package.json ./
USER node
EXPOSE 3000
# /readyz of the API (PORT) or of a worker-only process (METRICS_PORT), whichever this role serves.
HEALTHCHECK --interval=15s --timeout=6s --start-period=60s --retries=3 CMD ["node", "dist/cli/healthcheck.js"]
CMD ["node", "dist/main.js", "all"]
