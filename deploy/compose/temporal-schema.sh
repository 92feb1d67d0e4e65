#!/bin/sh
# Creates Temporal's schema, or upgrades it to this admin-tools image's version, in the two
# databases the postgres init script made for the `temporal` role. Safe to run at every start:
# `setup-schema -v 0.0` only adds the version tables when missing, and `update-schema` applies
# only the versions not yet recorded. Any failure stops the job, and with it the server's start.
# Environment: POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, SQL_PASSWORD (read by temporal-sql-tool).
set -eu
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

for pair in temporal:temporal visibility:temporal_visibility; do
  dir=${pair%%:*}
  db=${pair#*:}
  echo "Temporal schema in database $db…"
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$dir/versioned"
done
echo 'Temporal schema is up to date.'
