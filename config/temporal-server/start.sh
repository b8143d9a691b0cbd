#!/bin/sh
# The production-shaped Temporal server in a container (docker-compose.yml, Dockerfile beside this
# file), by the steps scripts/provision/temporal-server.ts takes on a developer's machine: the
# schema by temporal-sql-tool (each step leaves what is there alone, so this runs at every start),
# the server on config.yaml, then the `default` namespace and the renewal search attributes.
# docs/architecture.md, "The production-shaped Temporal".
set -eu
: "${POSTGRES_SEEDS:?set POSTGRES_SEEDS to the PostgreSQL host}"
: "${POSTGRES_USER:?set POSTGRES_USER}"
: "${POSTGRES_PWD:?set POSTGRES_PWD}"
config_file=${CONFIG_FILE:-/etc/temporal/config.yaml}
schema_dir=${SCHEMA_DIR:-/opt/temporal/schema/postgresql/v12}
export SQL_PLUGIN=postgres12 SQL_HOST="$POSTGRES_SEEDS" SQL_PORT="${DB_PORT:-5432}" SQL_USER="$POSTGRES_USER" SQL_PASSWORD="$POSTGRES_PWD"

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db=${pair%%:*}
  schema=${pair#*:}
  temporal-sql-tool --database "$db" create-database --defaultdb "${DEFAULT_DBNAME:-postgres}"
  temporal-sql-tool --database "$db" setup-schema -v 0.0
  temporal-sql-tool --database "$db" update-schema -d "$schema_dir/$schema/versioned"
done

# Listening on every interface, the services tell each other the container's own address.
if [ "${BIND_ON_IP:-127.0.0.1}" = "0.0.0.0" ] && [ -z "${BROADCAST_ADDRESS:-}" ]; then
  BROADCAST_ADDRESS=$(hostname -i | cut -d' ' -f1)
  export BROADCAST_ADDRESS
fi

temporal-server --config-file "$config_file" --allow-no-auth start &
server=$!
trap 'kill -TERM "$server"; wait "$server"; exit $?' TERM INT

address=127.0.0.1:${FRONTEND_GRPC_PORT:-7233}
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  kill -0 "$server" 2>/dev/null || { wait "$server"; exit 1; }
  sleep 1
done
temporal operator namespace describe --address "$address" --namespace default >/dev/null 2>&1 ||
  temporal operator namespace create --address "$address" --namespace default --retention 7d
# A new namespace reaches the services' caches within seconds: try each attribute until listed.
for name in PolicyNo DueDate RenewalStage Branch Channel RunMonth; do
  tries=0
  until temporal operator search-attribute list --address "$address" --namespace default 2>/dev/null | grep -qw "$name"; do
    tries=$((tries + 1))
    [ "$tries" -le 60 ] || { echo "search attribute $name: not registered" >&2; exit 1; }
    temporal operator search-attribute create --address "$address" --namespace default --name "$name" --type Keyword >/dev/null 2>&1 || sleep 1
  done
done
echo "temporal: ready on $address (namespace default, search attributes registered)"
wait "$server"
