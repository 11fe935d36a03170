#!/usr/bin/env bash
# Compose smoke test on a real Docker engine, loopback only, bounded in time.
#
#   1. base stack (docker-compose.yml): images build, replicas become healthy, the
#      balancer comes up after them, /predict on 127.0.0.1:8080 rotates server-1..3,
#      dotfiles are refused;
#   1b. each strategy overlay (only the balancer is recreated): weighted 3:1:1 gives
#      server-1 6 of 10 answers, ip_hash and hash on X-Forwarded-For stick to one replica
#      per key, least_conn answers;
#   2. + infra/compose/nginx.yml: `nginx -t` passes inside the NGINX container, NGINX on
#      127.0.0.1:8090 rotates the same replicas, stub_status answers;
#   3. + infra/compose/monitoring.yml --profile monitoring: Prometheus scrapes the
#      balancer and the three replicas (every target up);
#   4. infra/compose/scale.yml: one replica, then `up -d --scale model-server=5`: five
#      distinct server ids answer through the same balancer container (same ID, same
#      start time, no restart);
#   5. `docker compose stop`: every replica drains and exits 0 on SIGTERM.
# Everything the script started is removed on exit (trap), pass or fail.
#
# Engine: $DOCKER_HOST / the default socket if it answers; else the docker-sandbox
# (../shared/tools/docker-sandbox beside the repo, run as root) is started and used.
# Env: SMOKE_TIMEOUT (s, default 900), SMOKE_NGINX=0, SMOKE_MONITORING=0 to skip steps,
# SMOKE_SANDBOX_DOWN=1 to stop a sandbox engine this script started.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

DEADLINE=$((SECONDS + ${SMOKE_TIMEOUT:-900}))
PROJECT=${COMPOSE_PROJECT_NAME:-fleetsmoke}
export COMPOSE_PROJECT_NAME=$PROJECT
SANDBOX_DIR="${FLEET_DOCKER_SANDBOX:-$ROOT/../shared/tools/docker-sandbox}"
SANDBOX_IMAGES=(node:22-bookworm-slim nginx:stable prom/prometheus:latest)
BASE=(-f docker-compose.yml)
NGINX=(-f docker-compose.yml -f infra/compose/nginx.yml)
MONITORING=(-f docker-compose.yml -f infra/compose/nginx.yml -f infra/compose/monitoring.yml --profile monitoring)
SCALE=(-f docker-compose.yml -f infra/compose/scale.yml)
STARTED_SANDBOX=0
COMPOSE=()

oneline() { tr '\n' ' ' <<<"$1"; }
log() { printf '[compose-smoke %4ds] %s\n' "$SECONDS" "$*" >&2; }
# An opted-out step: one line in the CI summary (.ci/require-tool.mjs) as well as in the log.
skip_step() { log "SKIP $*"; if [ -n "${FLEET_SKIP_LOG:-}" ]; then echo "SKIPPED compose smoke: $*" >>"$FLEET_SKIP_LOG"; fi; }
fail() { log "FAIL: $*"; exit 1; }
remaining() { local left=$((DEADLINE - SECONDS)); [ "$left" -gt 0 ] || fail "time budget exhausted"; echo "$left"; }
bounded() { timeout "$(remaining)" "$@"; }
compose() { bounded "${COMPOSE[@]}" "$@"; }

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

ensure_engine() {
  command -v docker >/dev/null 2>&1 && engine_answers && return 0
  if [ -r /run/docker-sandbox/env ]; then
    # shellcheck disable=SC1091
    source /run/docker-sandbox/env
    engine_answers && return 0
  fi
  [ -x "$SANDBOX_DIR/up" ] || fail "no Docker engine answers and $SANDBOX_DIR/up does not exist"
  log "starting the docker-sandbox engine (${SANDBOX_IMAGES[*]})"
  bounded "$SANDBOX_DIR/up" "${SANDBOX_IMAGES[@]}" >&2
  STARTED_SANDBOX=1
  # shellcheck disable=SC1091
  source /run/docker-sandbox/env
  engine_answers || fail "the docker-sandbox engine does not answer"
}

pick_compose() {
  if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose)
  else fail "neither 'docker compose' nor 'docker-compose' is installed"; fi
  log "compose: $("${COMPOSE[@]}" version --short 2>/dev/null || "${COMPOSE[@]}" version | head -1)"
}

teardown() {
  local rc=$?
  trap - EXIT INT TERM
  if [ ${#COMPOSE[@]} -gt 0 ]; then
    if [ "$rc" -ne 0 ]; then
      log "state at failure:"
      docker ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}\t{{.Status}}' >&2 || true
      timeout 30 "${COMPOSE[@]}" "${MONITORING[@]}" logs --tail=40 >&2 || true
      timeout 30 "${COMPOSE[@]}" "${SCALE[@]}" logs --tail=40 model-server balancer-dns >&2 || true
    fi
    log "tearing down"
    timeout 120 "${COMPOSE[@]}" "${MONITORING[@]}" down -t 3 --remove-orphans >/dev/null 2>&1 || rc=1
    local left
    left=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" | wc -l)
    [ "$left" -eq 0 ] || { log "FAIL: $left containers left behind"; rc=1; }
  fi
  if [ "$STARTED_SANDBOX" = 1 ] && [ "${SMOKE_SANDBOX_DOWN:-0}" = 1 ]; then
    "$SANDBOX_DIR/down" >&2 || rc=1
  fi
  if [ "$rc" -eq 0 ]; then log "PASS in ${SECONDS}s"; else log "FAILED (exit $rc) after ${SECONDS}s"; fi
  exit "$rc"
}

# Containers of the project that are not (yet) running and healthy, one per line.
not_ready() {
  docker ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}} {{.Status}}' \
    | grep -v -E 'Up .*\(healthy\)|Up [^(]*$' || true
}

wait_healthy() { # $1 = what, $2 = expected number of running containers
  local what=$1 want=$2 until=$((SECONDS + 180)) bad running
  while :; do
    bad=$(not_ready)
    running=$(docker ps --filter "label=com.docker.compose.project=$PROJECT" -q | wc -l)
    [ -z "$bad" ] && [ "$running" -eq "$want" ] && { log "$what: $running containers up and healthy"; return 0; }
    echo "$bad" | grep -q -E 'Exited|Dead|unhealthy|Restarting' && fail "$what: $bad"
    [ "$SECONDS" -lt "$until" ] || fail "$what: not healthy after 180s: ${bad:-$running/$want running}"
    remaining >/dev/null
    sleep 1
  done
}

# POST /predict through the given port; prints the server_id of the answer.
predict_id() {
  local body
  body=$(curl -sS -m 10 --fail -H 'content-type: application/json' \
    -d '{"text":"win a free prize now"}' "http://127.0.0.1:$1/predict") || return 1
  printf '%s' "$body" | sed -n 's/.*"server_id" *: *"\([^"]*\)".*/\1/p'
}

wait_predict() { # $1 = port: first successful answer, bounded
  local until=$((SECONDS + 60))
  until [ -n "$(predict_id "$1" 2>/dev/null)" ]; do
    [ "$SECONDS" -lt "$until" ] || fail "no /predict answer on 127.0.0.1:$1 within 60s"
    sleep 1
  done
}

check_rotation() { # $1 = port, $2 = label: 9 requests rotate server-1..3 in a fixed order
  local port=$1 label=$2 ids=() i id
  wait_predict "$port"
  for i in $(seq 9); do
    id=$(predict_id "$port") || fail "$label: request $i failed"
    ids+=("$id")
  done
  log "$label: ${ids[*]}"
  [ "$(printf '%s\n' "${ids[@]:0:3}" | sort | tr '\n' ' ')" = "server-1 server-2 server-3 " ] \
    || fail "$label: the first three answers are not server-1..3 once each"
  for i in $(seq 3 8); do
    [ "${ids[$i]}" = "${ids[$((i - 3))]}" ] || fail "$label: answer $((i + 1)) breaks the rotation"
  done
}

expect_status() { # $1 = url, $2 = status
  local got
  got=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' "$1") || fail "GET $1 failed"
  [ "$got" = "$2" ] || fail "GET $1: status $got, expected $2"
}

ids_of() { # $1 = count, $2... = extra curl args: the server ids of $1 answers on 8080, one per line
  local n=$1 i body
  shift
  for i in $(seq "$n"); do
    body=$(curl -sS -m 10 --fail -H 'content-type: application/json' "$@" \
      -d '{"text":"win a free prize now"}' "http://127.0.0.1:8080/predict") || fail "request $i failed"
    printf '%s\n' "$body" | sed -n 's/.*"server_id" *: *"\([^"]*\)".*/\1/p'
  done
}

strategy_up() { # $1 = overlay name
  log "strategy overlay $1: up (balancer recreated)"
  compose -f docker-compose.yml -f "infra/compose/$1.yml" up -d
  wait_healthy "strategy $1" 4
  wait_predict 8080
}

step_strategies() {
  local ids distinct
  strategy_up weighted
  ids=$(ids_of 10)
  log "weighted: $(oneline "$ids")"
  [ "$(printf '%s\n' "$ids" | grep -cx server-1)" = 6 ] || fail "weighted 3:1:1: server-1 did not answer 6 of 10"
  strategy_up ip-hash
  distinct=$(ids_of 6 | sort -u | wc -l)
  [ "$distinct" = 1 ] || fail "ip_hash: one client reached $distinct replicas"
  strategy_up hash-xff
  distinct=$(ids_of 6 -H 'x-forwarded-for: 203.0.113.7' | sort -u | wc -l)
  [ "$distinct" = 1 ] || fail "hash \$http_x_forwarded_for: one key reached $distinct replicas"
  distinct=$(for i in $(seq 12); do ids_of 1 -H "x-forwarded-for: 198.51.100.$i"; done | sort -u | wc -l)
  [ "$distinct" -ge 2 ] || fail "hash \$http_x_forwarded_for: 12 keys all reached one replica"
  log "ip_hash and hash-xff: sticky per key, keys spread over $distinct replicas"
  strategy_up least-conn
  [ "$(ids_of 6 | grep -c .)" = 6 ] || fail "least_conn: missing answers"
  log "least_conn: answers"
}

container_of() { # $1 = service
  docker ps -q --filter "label=com.docker.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1"
}

step_base() {
  log "building images"
  compose "${BASE[@]}" build >/dev/null
  log "base stack: up"
  compose "${BASE[@]}" up -d
  wait_healthy "base stack" 4
  check_rotation 8080 "balancer round robin"
  expect_status "http://127.0.0.1:8080/.env" 404
}

step_nginx() {
  [ "${SMOKE_NGINX:-1}" = 1 ] || { skip_step "nginx overlay (SMOKE_NGINX=0)"; return 0; }
  log "nginx overlay: up"
  compose "${NGINX[@]}" up -d
  wait_healthy "nginx overlay" 5
  local checked
  checked=$(compose "${NGINX[@]}" exec -T nginx nginx -t 2>&1) || fail "nginx -t in the nginx container: $checked"
  log "nginx -t (nginx container, infra/nginx/conf.d mounted): $(oneline "$checked")"
  check_rotation 8090 "nginx round robin"
  expect_status "http://127.0.0.1:8090/.env" 404
  curl -sS -m 10 "http://127.0.0.1:8090/nginx_status" | grep -q '^Active connections' \
    || fail "nginx stub_status does not answer"
  check_rotation 8080 "balancer beside nginx"
}

step_monitoring() {
  [ "${SMOKE_MONITORING:-1}" = 1 ] || { skip_step "monitoring overlay (SMOKE_MONITORING=0)"; return 0; }
  log "monitoring overlay: up"
  compose "${MONITORING[@]}" up -d
  wait_healthy "monitoring overlay" 6
  local until=$((SECONDS + 90)) targets=""
  while :; do
    targets=$(curl -sS -m 5 'http://127.0.0.1:9090/api/v1/targets?state=active' 2>/dev/null || true)
    [ "$(printf '%s' "$targets" | grep -o '"health":"up"' | wc -l)" -ge 4 ] && break
    [ "$SECONDS" -lt "$until" ] || fail "Prometheus: not every target up within 90s: $targets"
    sleep 2
  done
  log "prometheus: balancer and 3 replicas scraped"
}

step_scale() {
  log "tearing down the base stack before the scale overlay"
  compose "${MONITORING[@]}" down -t 3 --remove-orphans >/dev/null 2>&1
  log "scale overlay: up with one replica"
  compose "${SCALE[@]}" up -d
  wait_healthy "scale overlay, 1 replica" 2
  wait_predict 8080
  local before started_before restarts
  before=$(container_of balancer-dns)
  [ -n "$before" ] || fail "no balancer-dns container"
  started_before=$(docker inspect -f '{{.State.StartedAt}}' "$before")
  log "scale overlay: --scale model-server=5"
  compose "${SCALE[@]}" up -d --scale model-server=5
  wait_healthy "scale overlay, 5 replicas" 6
  local until=$((SECONDS + 90)) id seen=""
  while [ "$(printf '%s' "$seen" | grep -c .)" -lt 5 ]; do
    [ "$SECONDS" -lt "$until" ] || fail "only $(printf '%s' "$seen" | grep -c .) distinct server ids within 90s: $(oneline "$seen")"
    id=$(predict_id 8080 || true)
    [ -n "$id" ] && ! printf '%s\n' "$seen" | grep -qx "$id" && seen=$(printf '%s\n%s' "$seen" "$id" | sed '/^$/d')
  done
  log "scale overlay: 5 distinct server ids: $(oneline "$seen")"
  [ "$(container_of balancer-dns)" = "$before" ] || fail "the balancer container was replaced"
  [ "$(docker inspect -f '{{.State.StartedAt}}' "$before")" = "$started_before" ] || fail "the balancer restarted"
  restarts=$(docker inspect -f '{{.RestartCount}}' "$before")
  [ "$restarts" = 0 ] || fail "the balancer restarted $restarts times"
  log "scale overlay: same balancer container $before, started $started_before"
}

# SIGTERM reaches the apps (init: true, STOPSIGNAL) and they drain and exit by themselves:
# exit 137 would mean Docker had to SIGKILL them after the grace period.
step_graceful_stop() {
  log "graceful stop: docker compose stop -t 40"
  compose "${SCALE[@]}" stop -t 40 >/dev/null 2>&1
  local c code
  for c in $(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=model-server"); do
    code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
    [ "$code" = 0 ] || fail "model-server container $c exited $code on SIGTERM"
  done
  c=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=balancer-dns")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
  [ "$code" != 137 ] || fail "the balancer ignored SIGTERM and was killed"
  [ "$code" = 0 ] || fail "the balancer drained but exited $code on SIGTERM"
  log "graceful stop: 5 replicas exited 0, balancer exited $code"
}

ensure_engine
pick_compose
trap teardown EXIT
trap 'exit 130' INT TERM
# A leftover from an interrupted run would skew the container counts.
timeout 120 "${COMPOSE[@]}" "${MONITORING[@]}" down -t 1 --remove-orphans >/dev/null 2>&1 || true
step_base
step_strategies
step_nginx
step_monitoring
step_scale
step_graceful_stop
