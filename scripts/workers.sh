#!/usr/bin/env bash
# One Celery thread-pool worker per core, each pinned to its core (GOVWATCH_WORKER_CPU; see
# config/celery.py): the way to run the engine on a machine. Extra arguments go to every worker;
# GOVWATCH_WORKER_THREADS (16) sets each one's concurrency. Stops them all on INT/TERM.
set -euo pipefail
cd "$(dirname "$0")/.."
celery=${CELERY:-.venv/bin/celery}
[ -x "$celery" ] || celery=celery
threads=${GOVWATCH_WORKER_THREADS:-16}
pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait; }
trap stop INT TERM
for cpu in $(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))'); do
  GOVWATCH_WORKER_CPU=$cpu "$celery" -A config worker --pool threads --concurrency "$threads" \
    -n "cpu$cpu@%h" "$@" &
  pids+=($!)
done
wait
