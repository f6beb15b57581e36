#!/usr/bin/env bash
# Runs the same pgbench workloads against a throwaway PostgreSQL 15 and
# RustyDB, both with fsync on, and prints TPS and latency side by side with
# the RustyDB / PostgreSQL ratio.
#
#   benchmarks/pgbench/run.sh            # scale 10, 30 s per run, 8 clients
#   SCALE=1 DURATION=10 CLIENTS=4 benchmarks/pgbench/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

SCALE=${SCALE:-10}
DURATION=${DURATION:-30}
CLIENTS=${CLIENTS:-8}
THREADS=${THREADS:-2}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)}
PG_PORT=${PG_PORT:-55432}
RDB_PORT=${RDB_PORT:-55433}

if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/postgres" ]; then
  echo "PostgreSQL 15 server not found (apt-get install postgresql-15)" >&2
  exit 1
fi
command -v pgbench >/dev/null || { echo "pgbench not found (apt-get install postgresql-client-15)" >&2; exit 1; }

work=$(mktemp -d /tmp/rustydb-pgbench.XXXXXX)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "${rdb_pid:-}" ] && kill "$rdb_pid" 2>/dev/null && wait "$rdb_pid" 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# PostgreSQL: defaults plus fsync on and synchronous_commit on (its defaults).
mkdir -p "$work/pg" && [ "$(id -u)" = 0 ] && chown postgres "$work/pg"
as_pg "$PGBIN/initdb" -D "$work/pg" -U postgres --auth=trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -o "-p $PG_PORT -k /tmp -c fsync=on -c synchronous_commit=on -c max_connections=100" -w start >/dev/null

go build -o "$work/rusty-db-server" ./cmd/rusty-db-server
"$work/rusty-db-server" --data-dir "$work/rdb" --port "$RDB_PORT" --rest-port $((RDB_PORT + 1)) --metrics-port $((RDB_PORT + 2)) >"$work/rdb.log" 2>&1 &
rdb_pid=$!
for _ in $(seq 100); do grep -q "ready for connections" "$work/rdb.log" && break; sleep 0.1; done

bench() { # target-args... -- pgbench-args...
  local out
  out=$(pgbench "$@" 2>&1) || { echo "$out" >&2; return 1; }
  local tps lat
  tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  lat=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
  echo "$tps $lat"
}

PG=(-h 127.0.0.1 -p "$PG_PORT" -U postgres)
RDB=(-h 127.0.0.1 -p "$RDB_PORT" -U rustydb)
echo "pgbench scale $SCALE, $CLIENTS clients, $THREADS threads, $DURATION s per run (fsync on for both)"
t0=$(date +%s.%N); pgbench "${PG[@]}" -i -s "$SCALE" -q postgres >/dev/null 2>&1; t1=$(date +%s.%N)
pgbench "${RDB[@]}" -i -s "$SCALE" -q rustydb >/dev/null 2>&1; t2=$(date +%s.%N)
printf '%-22s %12s %12s %8s\n' "init (pgbench -i)" "$(echo "$t1 - $t0" | bc) s" "$(echo "$t2 - $t1" | bc) s" \
  "$(echo "scale=2; ($t1 - $t0) / ($t2 - $t1)" | bc)x"
printf '%-22s %12s %12s %8s %14s %14s\n' run "PG tps" "RustyDB tps" ratio "PG lat ms" "RustyDB lat ms"
for mode in simple extended prepared; do
  for kind in tpcb select-only; do
    extra=(); [ "$kind" = select-only ] && extra=(-S)
    read -r pg_tps pg_lat < <(bench "${PG[@]}" -c "$CLIENTS" -j "$THREADS" -T "$DURATION" -M "$mode" "${extra[@]}" postgres)
    read -r r_tps r_lat < <(bench "${RDB[@]}" -c "$CLIENTS" -j "$THREADS" -T "$DURATION" -M "$mode" "${extra[@]}" rustydb)
    printf '%-22s %12.0f %12.0f %7.2fx %14s %14s\n' "$kind -M $mode" "$pg_tps" "$r_tps" "$(echo "scale=2; $r_tps / $pg_tps" | bc)" "$pg_lat" "$r_lat"
  done
done
