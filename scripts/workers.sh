#!/usr/bin/env bash
# One Celery thread-pool worker per core, each pinned to its core (GOVWATCH_WORKER_CPU; see
# config/celery.py): the way to run the engine on a machine. Extra arguments go to every worker.
#   GOVWATCH_WORKERS         how many workers (default: the cores this process may use; set it
#                            under a CPU quota, which the affinity mask does not show)
#   GOVWATCH_WORKER_THREADS  sites at once per worker (16); each thread holds a database
#                            connection, so PostgreSQL needs workers x threads + the web's
# When one worker exits, the others are stopped and the script exits with its status, so that a
# supervisor (docker compose's restart policy) sees it.
set -euo pipefail
cd "$(dirname "$0")/.."
celery=${CELERY:-.venv/bin/celery}
[ -x "$celery" ] || celery=celery
threads=${GOVWATCH_WORKER_THREADS:-16}
cpus=$(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')
read -r -a cpus <<<"$cpus"
count=${GOVWATCH_WORKERS:-${#cpus[@]}}
if ((${#cpus[@]} == 0 || count < 1)); then
  echo "workers.sh: no core to run a worker on (GOVWATCH_WORKERS=$count)" >&2
  exit 1
fi
pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait || true; }
trap 'stop; exit 143' INT TERM
for ((i = 0; i < count; i++)); do
  cpu=${cpus[i % ${#cpus[@]}]}
  GOVWATCH_WORKER_CPU=$cpu "$celery" -A config worker --pool threads --concurrency "$threads" \
    -n "cpu$cpu-$i@%h" "$@" &
  pids+=($!)
done
status=0
wait -n || status=$?
echo "workers.sh: a worker exited (status $status); stopping the others" >&2
stop
exit "$status"
