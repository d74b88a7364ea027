# agent-sandbox-controller image (it also carries the sandbox router, run as `node build/lib/router/main.js`): compiled JS + production dependencies on a Node.js LTS base, non-root, works with a
# read-only root filesystem (nothing is written at runtime). Build from the repository root:
#   docker build --build-arg VERSION=$(node -p "require('./package.json').version") -t agent-sandbox-controller:$VERSION .
# NODE_IMAGE: any Debian-based Node.js LTS image (`npm run images` passes one it builds from Debian packages).
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Compile only what the controller and router entry points import.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.controller.json ./
COPY lib lib
RUN npx tsc -p tsconfig.controller.json

# 2. Production dependencies only (no compilers, test tools or IaC SDKs).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --ignore-scripts

# 3. Runtime.
FROM ${NODE_IMAGE}
ARG VERSION
LABEL org.opencontainers.image.title="agent-sandbox-controller" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY package.json ./
# The image version must be the package version: refuse to build otherwise.
RUN test -n "${VERSION}" && test "${VERSION}" = "$(node -p "require('./package.json').version")"
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/build ./build
ENV NODE_ENV=production
# 65532 = the conventional "nonroot" UID/GID of distroless images; numeric so runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["node", "build/lib/controller/main.js"]
