#!/usr/bin/env bash
# The platform's main job on the embedded default: `make demo`.
# Bootstraps, loads a demo county served by the local site farm, starts web, worker and beat,
# queues an inspection of every site, and prints the URL and the logins. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

WEB_PORT=${GOVWATCH_DEMO_PORT:-8000}
FARM_PORT=${GOVWATCH_FARM_PORT:-8800}
SITES=${GOVWATCH_DEMO_SITES:-40}
TODAY=$(TZ=Asia/Shanghai date +%F)
# Only the farm's addresses may be fetched although they are loopback; 127.0.0.1 (this web
# server) stays refused, as any internal address is for user-entered URLs.
export GOVWATCH_CRAWL_ALLOW_HOSTS=${GOVWATCH_CRAWL_ALLOW_HOSTS:-127.0.1.0/24,127.0.2.0/24,127.0.3.0/24,127.0.250.0/24}
export GOVWATCH_CRAWL_PER_HOST_RATE=${GOVWATCH_CRAWL_PER_HOST_RATE:-20}
mkdir -p var/log
PY=.venv/bin/python

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "正在停止……"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Give the worker its warm shutdown, then make sure nothing is left behind.
  for _ in $(seq 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

$PY manage.py migrate --noinput >var/log/migrate.log
$PY manage.py load_demo --sites "$SITES" --port "$FARM_PORT" --today "$TODAY"
$PY manage.py load_dictionaries
# The office's signing certificate for the demo (a self-signed CA; kept in var/signing/).
$PY manage.py make_signing_certs --office "示范县人民政府办公室"

$PY -m sitefarm --seed 1 --sites "$SITES" --columns 12 --port "$FARM_PORT" --today "$TODAY" \
  --search --services --interaction --nav-home 2 --accounts-per-unit 1 \
  --latency-ms 30 --ground-truth var/farm-truth.json >var/log/farm.log 2>&1 &
pids+=($!)
.venv/bin/celery -A config worker --concurrency 2 --loglevel INFO >var/log/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A config beat --loglevel INFO -s var/celerybeat-schedule >var/log/beat.log 2>&1 &
pids+=($!)
$PY manage.py runserver "127.0.0.1:$WEB_PORT" --noreload >var/log/web.log 2>&1 &
pids+=($!)

for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$WEB_PORT/login/" && break
  sleep 0.2
done
$PY manage.py start_inspection --as-of "$TODAY"
echo "监测中……完成后复核、认定并签名发布本期通报（示范）"
$PY manage.py demo_publish --wait 900 || echo "（未能自动发布示范通报，详见上方信息；可在“通报”页面手动完成）"

cat <<MSG

政务网站与政务新媒体监管平台（示范县）已启动：
  网址      http://127.0.0.1:$WEB_PORT/
  工作人员  office / govwatch-demo
  负责人    lead   / govwatch-demo
  单位信息员 unit1  / govwatch-demo（只能看到本单位）
  站点模拟器 127.0.1.x:$FARM_PORT，标准答案 var/farm-truth.json
  日志      var/log/
  已发布通报 http://127.0.0.1:$WEB_PORT/circulars/（公开页面，可验证签名）
按 Ctrl-C 停止。
MSG
wait "${pids[@]}"
