#!/usr/bin/env bash
# RustyDB health check in the manner of the Administration Guide (section
# 2.5): reads GET /api/v1/admin/health and the buffer pool usage from GET
# /api/v1/metrics (data.memory.buffer_pool_usage_percent) with curl and jq,
# prints them, and exits non-zero when the server is not HEALTHY or the
# buffer pool is fuller than the threshold. Fit for cron or a monitoring
# agent.
#
# Environment:
#   RUSTYDB_HOST            REST API host (default localhost)
#   RUSTYDB_REST_PORT       REST API port (default 8080)
#   RUSTYDB_API_TOKEN       bearer token; not needed in dev mode from the server's machine
#   RUSTYDB_TOKEN_FILE      file holding the token instead, e.g. <data_dir>/admin_api_token
#   BUFFER_POOL_THRESHOLD   alert above this usage, in percent (default 90)
#
# Exit status: 0 healthy, 1 not HEALTHY or buffer pool above the threshold,
# 2 the server cannot be reached or gives an unexpected answer, 3 curl or jq
# missing.
set -euo pipefail

host=${RUSTYDB_HOST:-localhost}
port=${RUSTYDB_REST_PORT:-8080}
threshold=${BUFFER_POOL_THRESHOLD:-90}
api="http://${host}:${port}/api/v1"

for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || { echo "health-check: $tool is needed" >&2; exit 3; }
done

token=${RUSTYDB_API_TOKEN:-}
if [ -z "$token" ] && [ -n "${RUSTYDB_TOKEN_FILE:-}" ]; then
  token=$(<"$RUSTYDB_TOKEN_FILE")
fi
auth=()
if [ -n "$token" ]; then
  auth=(-H "Authorization: Bearer $token")
fi

# fetch prints the JSON body of GET $api$1. Not curl -f: an unhealthy server
# answers 503 with the report that says why.
fetch() {
  curl -sS --max-time 10 "${auth[@]}" "$api$1"
}

# unexpected reports an answer without the expected field and exits 2.
unexpected() {
  local json=$1 what=$2
  echo "CRITICAL: unexpected answer from $what: $(jq -r '.error.message? // .' <<<"$json" 2>/dev/null || echo "$json")"
  exit 2
}

health=$(fetch /admin/health) || { echo "CRITICAL: cannot reach RustyDB at $api"; exit 2; }
status=$(jq -er '.data.status' <<<"$health" 2>/dev/null) || unexpected "$health" "$api/admin/health"
metrics=$(fetch /metrics) || { echo "CRITICAL: cannot reach RustyDB at $api"; exit 2; }
usage=$(jq -er '.data.memory.buffer_pool_usage_percent' <<<"$metrics" 2>/dev/null) || unexpected "$metrics" "$api/metrics"

echo "RustyDB at $host:$port: $status"
jq -r '.data.components[] | "  \(.name): \(.status) (\(.message))"' <<<"$health"
printf 'Buffer pool usage: %.1f%% (threshold %s%%)\n' "$usage" "$threshold"

rc=0
if [ "$status" != HEALTHY ]; then
  echo "ALERT: status is $status"
  rc=1
fi
if jq -en --argjson u "$usage" --argjson t "$threshold" '$u > $t' >/dev/null; then
  echo "ALERT: buffer pool usage ${usage}% is above ${threshold}%"
  rc=1
fi
exit $rc
