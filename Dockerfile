# The project image used by docker-compose.yml (the worker, migrations, the bank simulator).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production TZ=UTC
# Not root: the worker holds the data key and reaches the bank; it needs no privilege.
USER node
# The worker is PID 1 itself, so `docker stop` (SIGTERM) reaches it and it drains before exiting.
CMD ["node", "--import", "tsx", "workers/main.ts"]
