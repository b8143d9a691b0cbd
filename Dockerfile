# The project image used by docker-compose.yml (the worker, migrations, the bank simulator).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production TZ=UTC
# Not root: the worker holds the data key and reaches the bank; it needs no privilege.
USER node
CMD ["npm", "run", "worker"]
