#!/usr/bin/env bash
# Runs the MLflow API load script against a Release build of `mlops server` on a fresh SQLite store.
# Usage: bench/mlflow-api/run.sh [extra args for mlflow_api_bench.py, e.g. --quick]
# Needs python3 with requests (Debian: apt-get install python3-requests).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/results"
mkdir -p "$out"
dotnet publish "$root/src/Mlops.Cli" -c Release -o "$out/bin" --nologo -v quiet
home=$(mktemp -d)
port=${PORT:-5577}
MLOPS_HOME="$home" "$out/bin/mlops" server --port "$port" --quiet ${SERVER_ARGS:-} > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$home"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
stamp=$(date -u +%Y%m%d-%H%M%S)
python3 "$here/mlflow_api_bench.py" --base-url "http://127.0.0.1:$port" --label "mlops-sqlite" --out "$out/mlops-$stamp.json" "$@"
echo "Results: $out/mlops-$stamp.json"
