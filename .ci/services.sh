#!/usr/bin/env bash
# Optional: start Debian's Redis and PostgreSQL servers on loopback, for the jobs-service demo
# (examples/jobs-service/README.md) or to run the tests against system servers. The test suite does
# not need it: it starts its own from the test extras' wheels when the variables below are unset.
#
# Idempotent: installs the Debian packages only when missing, reuses servers already answering,
# and keeps its data under ${GONOGO_SERVICES_DIR:-/tmp/gonogo-services}. Prints the URLs as
# `export` lines, so `eval "$(bash .ci/services.sh)"` sets the variables the tests read:
#   GONOGO_TEST_REDIS_URL, GONOGO_TEST_POSTGRES_URL
# Log lines go to stderr so that eval sees only the exports.
set -euo pipefail

BASE="${GONOGO_SERVICES_DIR:-/tmp/gonogo-services}"
REDIS_PORT="${GONOGO_REDIS_PORT:-6390}"
PG_PORT="${GONOGO_PG_PORT:-5440}"
PG_USER=gonogo
PG_PASSWORD=gonogo
PG_DB=gonogo_test

log() { echo "services: $*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
    local missing=()
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    [ -n "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ] || missing+=(postgresql)
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >&2
    fi
}

start_redis() {
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
        log "redis already up on 127.0.0.1:$REDIS_PORT"
        return
    fi
    mkdir -p "$BASE/redis"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" \
        --appendonly no --dir "$BASE/redis" --logfile "$BASE/redis/redis.log" \
        --pidfile "$BASE/redis/redis.pid" >&2
    for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
        sleep 0.1
    done
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping | grep -q PONG
    log "redis up on 127.0.0.1:$REDIS_PORT"
}

start_postgres() {
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
    local data="$BASE/pg"
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    local run=()
    if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        log "postgres already up on 127.0.0.1:$PG_PORT"
    else
        mkdir -p "$BASE"
        if [ ! -s "$data/PG_VERSION" ]; then
            rm -rf "$data"
            mkdir -p "$data"
            [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
            "${run[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >&2
        fi
        "${run[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k /tmp -c fsync=off" start >&2
        log "postgres up on 127.0.0.1:$PG_PORT"
    fi
    local psql=("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
    if [ "$("${psql[@]}" -c "select 1 from pg_roles where rolname='$PG_USER'")" != 1 ]; then
        "${psql[@]}" -c "create role $PG_USER login password '$PG_PASSWORD'" >&2
    fi
    if [ "$("${psql[@]}" -c "select 1 from pg_database where datname='$PG_DB'")" != 1 ]; then
        "${psql[@]}" -c "create database $PG_DB owner $PG_USER" >&2
    fi
}

install_packages
start_redis
start_postgres
echo "export GONOGO_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
echo "export GONOGO_TEST_POSTGRES_URL=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
