#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume
# (/docker-entrypoint-initdb.d). Gives the service and Temporal a role and databases each:
#   calsync  owns calsync                          (the service; it applies its own migrations)
#   temporal owns temporal and temporal_visibility (Temporal's schema job fills them)
# Neither role is a superuser or may create databases. Passwords come from the environment and
# reach SQL as psql variables, so no quoting can break out of them.
set -eu
: "${CALSYNC_DB_PASSWORD:?set CALSYNC_DB_PASSWORD}"
: "${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v calsync_password="$CALSYNC_DB_PASSWORD" -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE calsync LOGIN PASSWORD :'calsync_password';
CREATE DATABASE calsync OWNER calsync;
REVOKE ALL ON DATABASE calsync FROM PUBLIC;

CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
REVOKE ALL ON DATABASE temporal FROM PUBLIC;
REVOKE ALL ON DATABASE temporal_visibility FROM PUBLIC;
SQL
