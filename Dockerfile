# Switchboard as a container: the compiled server (dist/) on Node 20, production dependencies only.
#   docker build -t switchboard .
#   docker run -p 3000:3000 --env-file .env switchboard
# On AWS: ECS on Fargate behind an Application Load Balancer, STORE=dynamodb (docs/deploy-aws.md).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY knowledge ./knowledge
COPY prompts ./prompts
COPY public ./public
# The SQLite file lives here with STORE=sqlite (mount a volume to keep it); unused with DynamoDB.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# SIGTERM (ECS, docker stop) closes the server gracefully: the inbox and the outbox keep what is unfinished.
CMD ["node", "dist/main.js"]
