#!/usr/bin/env bash
# Installs what govwatch needs when it is missing: Debian packages and the virtualenv.
# Idempotent, and quick (a few seconds) when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils
  redis-server postgresql chromium chromium-driver python3-venv
)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
# Wanted, not required (the renderer falls back to /usr/bin/chromium): installed only when apt
# already knows a candidate, so that a machine without one is not sent to apt on every run.
for pkg in chromium-headless-shell; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && continue
  # Not `apt-cache policy | grep -q`: grep stops reading at the match, apt-cache dies of SIGPIPE
  # and pipefail made the test fail, so a new machine never got the package.
  grep -q "Candidate: [0-9]" <<<"$(apt-cache policy "$pkg" 2>/dev/null)" || continue
  echo "bootstrap: installing $pkg"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg" \
    >/dev/null 2>&1 || echo "bootstrap: $pkg could not be installed; rendering uses /usr/bin/chromium"
done

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null; then python=$candidate; break; fi
  done
fi
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $python"
  "$python" -m venv .venv
fi
stamp=.venv/.govwatch-deps
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing Python packages"
  # (Some machines' pip configuration names local mirrors that may be missing: not our errors.)
  quiet() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
  quiet .venv/bin/pip install -q --upgrade pip || true
  # The dependencies only: the project runs from its checkout, never from site-packages.
  .venv/bin/python - <<'PY' >.venv/requirements.txt
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["dev"]))
PY
  quiet .venv/bin/pip install -q -r .venv/requirements.txt
  echo "$want" >"$stamp"
fi
