#!/usr/bin/env bash
# The whole test suite, browser tests included, from a fresh Debian machine,
# on Datasette 0.65.5 (.venv) and again on 1.0a41 (.venv-1.0):
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

# The linter first: its configuration is in pyproject.toml.
echo "scripts/test.sh: ruff check" >&2
if ! .venv/bin/ruff check .; then
    echo "scripts/test.sh: FAILED: ruff check found problems ('.venv/bin/ruff check --fix .' mends most)" >&2
    exit 1
fi

# --- both Datasette lines ---
# The primary run uses what `pip install datasette` gives (0.65.5); the same
# suite runs on Datasette 1.0a41 in .venv-1.0. The two runs go side by side
# (each pytest keeps one core busy), each into its own log, printed in full
# once both have finished; JOBHUNT_TEST_SERIAL=1 runs them one after the other.
run_suite() {  # run_suite VENV LABEL [pytest arguments]
    local venv="$1" label="$2"
    shift 2
    local rc=0
    echo "scripts/test.sh: running the suite on $label" >&2
    "$venv/bin/python" -m pytest -p no:cacheprovider "$@" || rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "scripts/test.sh: pytest collected no tests on $label; that is a failure here" >&2
        rc=1
    fi
    return "$rc"
}

if [ ! -x .venv-1.0/bin/python ]; then
    "$PYTHON" -m venv .venv-1.0
fi
.venv-1.0/bin/python -m pip install --quiet 'datasette==1.0a41'
.venv-1.0/bin/python -m pip install --quiet -e '.[test]'

primary_label="Datasette $(.venv/bin/python -c 'import datasette.version as v; print(v.__version__)')"
primary=0
second=0
if [ "${JOBHUNT_TEST_SERIAL:-}" = "1" ]; then
    run_suite .venv "$primary_label" "$@" || primary=$?
    run_suite .venv-1.0 "Datasette 1.0a41" "$@" || second=$?
else
    logs=$(mktemp -d)
    run_suite .venv "$primary_label" "$@" > "$logs/primary.log" 2>&1 &
    primary_pid=$!
    run_suite .venv-1.0 "Datasette 1.0a41" "$@" > "$logs/second.log" 2>&1 &
    second_pid=$!
    wait "$primary_pid" || primary=$?
    wait "$second_pid" || second=$?
    cat "$logs/primary.log" "$logs/second.log"
    rm -rf "$logs"
fi

if [ "$primary" -ne 0 ]; then
    echo "scripts/test.sh: FAILED on Datasette 0.65 (.venv), exit $primary" >&2
fi
if [ "$second" -ne 0 ]; then
    echo "scripts/test.sh: FAILED on Datasette 1.0a41 (.venv-1.0), exit $second" >&2
fi
if [ "$primary" -ne 0 ]; then
    exit "$primary"
fi
exit "$second"
