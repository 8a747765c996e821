#!/usr/bin/env bash
# The whole test suite on PostgreSQL and Redis, from a fresh machine: `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

started=0
if [ -z "${DATABASE_URL:-}" ]; then
  eval "$(scripts/services.sh start | sed 's/^/export /')"
  started=1
fi
cleanup() { if [ "$started" -eq 1 ]; then scripts/services.sh stop; fi; }
trap cleanup EXIT

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
export DJANGO_ALLOW_ASYNC_UNSAFE=true
.venv/bin/python -m pytest "$@"
