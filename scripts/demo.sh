#!/usr/bin/env bash
# Build the demo job search and serve it: then open http://127.0.0.1:8001/-/jobhunt
#   bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv; then
        if [ "$(id -u)" -eq 0 ]; then
            rm -rf .venv
            apt-get update
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv
            "$PYTHON" -m venv .venv
        else
            echo "scripts/demo.sh: cannot create .venv; run 'sudo apt-get install python3-venv'" >&2
            exit 1
        fi
    fi
fi
.venv/bin/python -m pip install --quiet -e .

.venv/bin/jobhunt demo jobs.db --force -m metadata.yml
echo "Open http://127.0.0.1:8001/-/jobhunt (Ctrl+C stops the server)"
exec .venv/bin/datasette serve jobs.db -m metadata.yml --host 127.0.0.1 --port 8001
