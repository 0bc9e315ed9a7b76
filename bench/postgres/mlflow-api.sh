#!/usr/bin/env bash
# The MLflow API load script (bench/mlflow-api) against `mlops server` on PostgreSQL: a fresh database on the
# server PGADMIN names (default: the .ci/postgres.sh cluster), dropped afterwards.
# Usage: bench/postgres/mlflow-api.sh [extra args for mlflow_api_bench.py, e.g. --quick]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
admin=${PGADMIN:-postgresql://postgres@127.0.0.1:55432/postgres}
base=${admin%/*}
db="mlops_bench_$(date +%s)"
psql "$admin" -qc "CREATE DATABASE $db"
trap 'psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
SERVER_ARGS="--backend-store-uri $base/$db" "$root/bench/mlflow-api/run.sh" --label mlops-postgres "$@"
