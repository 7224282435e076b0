#!/usr/bin/env bash
# The whole test suite, browser tests included, from a fresh Debian machine:
#   bash scripts/test.sh [pytest arguments]
# Installs Debian's chromium when it is missing (Playwright's own browser
# download needs a CDN; the tests drive /usr/bin/chromium instead).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "scripts/test.sh: /usr/bin/chromium is missing; run 'sudo apt-get install chromium' or run this script as root" >&2
        exit 1
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv; then
        # Debian ships venv separately from python3.
        if [ "$(id -u)" -eq 0 ]; then
            rm -rf .venv
            apt-get update
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv
            "$PYTHON" -m venv .venv
        else
            echo "scripts/test.sh: cannot create .venv; run 'sudo apt-get install python3-venv'" >&2
            exit 1
        fi
    fi
fi

.venv/bin/python -m pip install --quiet -e '.[test]'

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "scripts/test.sh: pytest collected no tests; that is a failure here" >&2
    exit 1
fi
exit "$status"
