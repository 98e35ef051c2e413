#!/usr/bin/env bash
# Smoke test of a cognito-emulator binary (the one the Docker image ships): it starts with
# the example seed, reports healthy, and the AWS CLI lists the seeded pool.
set -euo pipefail
binary="${1:?usage: smoke-test.sh BINARY}"
cd "$(dirname "$0")/.."
log="$(mktemp)"
"$binary" --host 127.0.0.1 --port 0 --log warn --seed fixtures/seed.example.yaml > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do
  url="$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -n1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "smoke test: no URL printed" >&2; cat "$log" >&2; exit 1; }
port="${url##*:}"
"$binary" --port "$port" --health-check
pools="$(AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_PAGER= \
  aws cognito-idp list-user-pools --max-results 10 --endpoint-url "$url" --region us-east-1 --output text)"
echo "$pools" | grep -q "us-east-1_Example01" || { echo "smoke test: seeded pool missing: $pools" >&2; exit 1; }
echo "smoke test passed: $binary at $url"
