#!/usr/bin/env bash
# While nothing is deployed, the project keeps one initial migration per app: regenerate them.
set -euo pipefail
cd "$(dirname "$0")/.."
for app in core units newmedia audits notices; do
  find "$app/migrations" -name '0*.py' -delete
done
.venv/bin/python manage.py makemigrations core units newmedia audits notices >/dev/null
echo "migrations regenerated"
