#!/usr/bin/env bash
# Bulk-load benchmark: TPC-H lineitem loaded with COPY FROM its .tbl file,
# exported to Parquet and read back, on embedded RustyDB and DuckDB (the
# -load mode of benchmarks/peers/duckdb) and on a throwaway PostgreSQL 15
# (server-side COPY, defaults: fsync on), in one run; prints one table.
#
#   benchmarks/load/run.sh                      # SF 1, data in /tmp/tpch-sf1
#   SF=0.1 TPCH_DIR=/tmp/tpch-sf01 benchmarks/load/run.sh
#
# The .tbl files are generated with benchmarks/tpchgen into TPCH_DIR when it
# does not hold them for this SF. LOAD_FLAGS passes more flags (-durable=false,
# -threads N). Without PostgreSQL 15 installed, only RustyDB and DuckDB run.
set -euo pipefail
cd "$(dirname "$0")/../.."

SF=${SF:-1}
TPCH_DIR=${TPCH_DIR:-/tmp/tpch-sf$(echo "$SF" | tr -d .)}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)}
PG_PORT=${PG_PORT:-55442}

work=$(mktemp -d /tmp/rustydb-load.XXXXXX)
chmod 755 "$work" # the PostgreSQL server reads its copy of the file from here
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "${PGBIN:-}" ] && as_pg "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

(cd benchmarks/peers/duckdb && go build -o "$work/duckpeer" .)

pgflags=()
if [ -n "$PGBIN" ] && [ -x "$PGBIN/postgres" ] && command -v psql >/dev/null; then
  mkdir -p "$work/pg" && [ "$(id -u)" = 0 ] && chown postgres "$work/pg"
  as_pg "$PGBIN/initdb" -D "$work/pg" -U postgres --auth=trust >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -o "-p $PG_PORT -k /tmp -c fsync=on -c synchronous_commit=on" -w start >/dev/null
  pgflags=(-pgport "$PG_PORT" -pghost /tmp -pgwork "$work")
else
  echo "PostgreSQL 15 (server and psql) not found: its column stays empty" >&2
fi

"$work/duckpeer" -load -sf "$SF" -dir "$TPCH_DIR" -dbdir "$work" "${pgflags[@]}" ${LOAD_FLAGS:-}
