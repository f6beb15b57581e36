#!/usr/bin/env bash
# test-clients.sh runs client-library programs against a freshly started
# RustyDB server (make test-clients; not part of make test, since it needs
# Java and the network): pgJDBC (clients/jdbc) and node-postgres
# (clients/node). A client whose runtime or driver is missing is skipped
# with a message; one that runs and fails fails the script.
#
# JDBC needs java 11+ and the driver jar: apt-get install default-jre-headless
# libpostgresql-jdbc-java (or set PGJDBC_JAR). node needs node and npm; the
# pg package is installed into a cache directory from the npm registry
# (RUSTYDB_CLIENTS_CACHE, default ~/.cache/rustydb-clients).
set -u
cd "$(dirname "$0")/.."

go build -o bin/rusty-db-server ./cmd/rusty-db-server || exit 1
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
: >"$tmp/server.log"
bin/rusty-db-server --data-dir "$tmp/data" --port "$port" --rest-port "$(free_port)" --metrics-port "$(free_port)" >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q "ready for connections" "$tmp/server.log" && break
	sleep 0.1
done
if ! grep -q "ready for connections" "$tmp/server.log"; then
	cat "$tmp/server.log"
	exit 1
fi

failed=0
ran=0

jar=${PGJDBC_JAR:-/usr/share/java/postgresql.jar}
if ! command -v java >/dev/null; then
	echo "SKIP jdbc: java not installed (apt-get install default-jre-headless)"
elif [ ! -f "$jar" ]; then
	echo "SKIP jdbc: no driver at $jar (apt-get install libpostgresql-jdbc-java, or set PGJDBC_JAR)"
else
	ran=$((ran + 1))
	java -cp "$jar" clients/jdbc/JdbcClient.java "jdbc:postgresql://127.0.0.1:$port/rustydb?user=rustydb" || failed=1
fi

cache=${RUSTYDB_CLIENTS_CACHE:-$HOME/.cache/rustydb-clients}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "SKIP node: node or npm not installed"
elif [ ! -d "$cache/node_modules/pg" ] && ! (mkdir -p "$cache" && cd "$cache" && npm install --silent --no-audit --no-fund pg@8 >/dev/null 2>&1); then
	echo "SKIP node: could not install pg from the npm registry ($(npm config get registry))"
else
	ran=$((ran + 1))
	NODE_PATH="$cache/node_modules" node clients/node/client.js "postgres://rustydb@127.0.0.1:$port/rustydb" || failed=1
fi

if [ $failed -ne 0 ]; then
	echo "client tests FAILED; server log: $tmp/server.log"
	tail -20 "$tmp/server.log"
	exit 1
fi
echo "client tests: $ran ran, passed"
