# The project image used by docker-compose.yml (the worker, migrations, the bank simulator).
FROM node:20-bookworm-slim
WORKDIR /app
# Letters are set in Noto Sans CJK (LETTER_FONT_PATH; docs/architecture.md#letters): the worker refuses to start without a font.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production TZ=UTC
# Not root: the worker holds the data key and reaches the bank; it needs no privilege.
USER node
# The worker is PID 1 itself, so `docker stop` (SIGTERM) reaches it and it drains before exiting.
CMD ["node", "--import", "tsx", "workers/main.ts"]
