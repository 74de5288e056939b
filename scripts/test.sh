#!/usr/bin/env bash
# Everything the test suite needs, then the whole suite: `bash scripts/test.sh [pytest arguments]`.
#
# 1. What no wheel ships, from Debian: chromium, for the browser tests of the HTML report. apt-get
#    runs only when a package is missing (as root, or through sudo); otherwise this stops at once
#    and prints the one line to run.
# 2. The project with its test extra (pytest, and the wheels that ship redis-server and PostgreSQL:
#    the suite starts its own servers unless GONOGO_TEST_REDIS_URL / GONOGO_TEST_POSTGRES_URL name
#    running ones, see tests/servers.py).
# 3. python -m mypy: strict on src/gonogo, as pyproject.toml's [tool.mypy] says; a type error stops
#    the run here with mypy's exit code.
# 4. python -m pytest, whose exit code this script exits with.
#
# Idempotent and quiet when everything is there. PYTHON picks the interpreter (default: python3,
# that of an activated venv).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
# command the tests run -> the Debian package that provides it
DEBIAN_NEEDS=(
    "chromium:chromium"
)

say() { echo "scripts/test.sh: $*" >&2; }

missing_packages() {
    local need
    for need in "${DEBIAN_NEEDS[@]}"; do
        command -v "${need%%:*}" >/dev/null 2>&1 || echo "${need#*:}"
    done
}

# How to run a command as root here, or nothing when that needs a password nobody can type.
root_prefix() {
    if [ "$(id -u)" = 0 ]; then
        echo env
    elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
        echo sudo
    fi
}

install_debian_packages() {
    local missing prefix
    mapfile -t missing < <(missing_packages)
    [ "${#missing[@]}" -eq 0 ] && return
    local line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    if ! command -v apt-get >/dev/null 2>&1; then
        say "missing ${missing[*]} and this is not a Debian-like system: install them, then run this again"
        exit 2
    fi
    prefix="$(root_prefix)"
    if [ -z "$prefix" ]; then
        say "missing ${missing[*]}: run this line as root, then this script again:"
        echo "sudo sh -c '$line'" >&2
        exit 2
    fi
    say "installing ${missing[*]} with apt-get"
    # the package lists may be current already: update them only when the install cannot proceed without
    if ! $prefix DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >/dev/null 2>&1; then
        $prefix DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        $prefix DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
}

install_debian_packages
"$PYTHON" -m pip install --quiet --disable-pip-version-check -e '.[test]'
"$PYTHON" -m mypy
exec "$PYTHON" -m pytest "$@"
