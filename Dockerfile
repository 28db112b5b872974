# Users Sync api and bot, one image for both (compose.yaml picks the process).
# Written to be correct, but not built on the machine this project is developed on
# (it has no container runtime): see README, "Running in production".

# --- what every stage starts from: the workspace manifests, for npm ci ---------------
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY bot/package.json bot/
COPY tabs/package.json tabs/
COPY emulator/package.json emulator/

# --- build: every dependency, then the api, the bot and the tab ----------------------
FROM manifests AS build
# better-sqlite3 compiles when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY api api
COPY bot bot
COPY tabs tabs
RUN npm run build -w api -w bot -w tabs

# --- production dependencies only ------------------------------------------------------
FROM manifests AS production-dependencies
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime: built output + production dependencies, as the unprivileged node user ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=manifests /app/ ./
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /app/api/dist api/dist
COPY --from=build /app/bot/dist bot/dist
COPY --from=build /app/tabs/dist tabs/dist
COPY scripts/serve.mjs scripts/serve.mjs
# The api looks for env/ beside package.json; data/ is only used without PostgreSQL.
RUN mkdir -p env data && chown node:node data
USER node
EXPOSE 3000 3978
# The api by default; compose.yaml runs the bot from the same image.
CMD ["node", "--disable-warning=DEP0111", "api/dist/main.js"]
