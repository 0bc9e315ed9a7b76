#!/usr/bin/env bash
# Load-tests `mlops serve` with wrk (Debian package `wrk`) on loopback: the breast-cancer LightGBM model from the
# shipped sample spec, single-row JSON requests (dataframe_split), 64 connections.
# Usage: bench/serving/run.sh [duration=20s] [connections=64] [serve|endpoint]
#   serve:    `mlops serve` (one model, its own process) at /invocations (default)
#   endpoint: the same model deployed to an endpoint of `mlops server` at /serving/bench/invocations
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20s}
CONNECTIONS=${2:-64}
TARGET=${3:-serve}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 1; }

dotnet build -c Release src/Mlops.Cli -v q -nologo >/dev/null
MLOPS="dotnet src/Mlops.Cli/bin/Release/net10.0/mlops.dll"
HOME_DIR=$(mktemp -d)
cleanup() { kill "${SERVER_PID:-}" "${SERVE_PID:-}" 2>/dev/null || true; rm -rf "$HOME_DIR"; }
trap cleanup EXIT

$MLOPS server --home "$HOME_DIR" --port 0 --quiet > "$HOME_DIR/server.log" 2>&1 &
SERVER_PID=$!
until grep -qs "listening on" "$HOME_DIR/server.log"; do sleep 0.2; done
TRACKING=$(grep -o "http://127.0.0.1:[0-9]*" "$HOME_DIR/server.log" | head -1)
$MLOPS train samples/specs/breast-cancer-lightgbm.yaml --wait --tracking-uri "$TRACKING" > /dev/null

if [ "$TARGET" = endpoint ]; then
  $MLOPS deploy create bench --model models:/breast-cancer@champion --tracking-uri "$TRACKING" > /dev/null
  URL="$TRACKING/serving/bench/invocations"
else
  $MLOPS serve --model models:/breast-cancer@champion --port 0 --tracking-uri "$TRACKING" > "$HOME_DIR/serve.log" 2>&1 &
  SERVE_PID=$!
  until grep -qs "^Serving" "$HOME_DIR/serve.log"; do sleep 0.2; done
  URL="$(grep -o "http://127.0.0.1:[0-9]*" "$HOME_DIR/serve.log" | head -1)/invocations"
fi

COLUMNS=$(head -1 samples/data/breast_cancer.csv | tr ',' '\n' | head -n -1 | sed 's/.*/"&"/' | paste -sd, -)
ROW=$(sed -n 2p samples/data/breast_cancer.csv | rev | cut -d, -f2- | rev)
BODY="{\"dataframe_split\": {\"columns\": [$COLUMNS], \"data\": [[$ROW]]}}"
curl -sf -H 'Content-Type: application/json' -d "$BODY" "$URL"; echo
cat > "$HOME_DIR/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[$BODY]==]
LUA
echo "warm-up"; wrk -t2 -c"$CONNECTIONS" -d5s -s "$HOME_DIR/post.lua" "$URL" > /dev/null
echo "$(date -u +%F\ %H:%M) UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HOME_DIR/post.lua" "$URL"
