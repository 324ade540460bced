#!/usr/bin/env bash
# Fuzzes a live control plane with Schemathesis: starts one from the built jar (control-api/target) in a temporary
# directory, with an admin password of its own (MARCHPROXY_ADMIN_PASSWORD), logs in, and runs every check of
# Schemathesis against its /openapi document with the token (and a cluster's API key) as headers, bounded in time.
# Fails on any 5xx, any response that differs from the document, any schema-violating request accepted or
# schema-valid one refused beyond the statuses schemathesis.toml lists, and on any unhandled error in the server log.
# Installs the pinned Schemathesis (requirements.txt) into a venv under /opt/marchproxy-schemathesis, idempotently.
#   run.sh [--max-time 150] [--max-examples 30] [--seed N] [-- more schemathesis run options]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
source "$root/bin/setup.sh"   # JAVA_HOME, MP_JVM_FLAGS
prefix="${MARCHPROXY_SCHEMATHESIS_PREFIX:-/opt/marchproxy-schemathesis}"
max_time=150 max_examples=30 seed="${MARCHPROXY_SCHEMATHESIS_SEED:-20261206}"
while [ $# -gt 0 ]; do
  case "$1" in
    --max-time) max_time="$2"; shift 2 ;;
    --max-examples) max_examples="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
log() { echo "[schemathesis] $*" >&2; }

# The pinned Schemathesis and everything it imports, so a new release of any of them cannot change the run.
st="$prefix/venv/bin/schemathesis"
pinned="$(sed -n 's/^schemathesis==//p' "$here/requirements.txt")"
if ! [ -x "$st" ] || [ "$("$st" --version 2>/dev/null)" != "schemathesis, version $pinned" ]; then
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt-get install -y -q python3-venv >/dev/null
  fi
  log "installing schemathesis $pinned into $prefix/venv"
  rm -rf "$prefix/venv"
  mkdir -p "$prefix"
  python3 -m venv "$prefix/venv"
  "$prefix/venv/bin/pip" install -q --disable-pip-version-check --no-deps -r "$here/requirements.txt"
  "$st" --version
fi

jar="${MARCHPROXY_SCHEMATHESIS_JAR:-$root/control-api/target/control-api-0.1.0-SNAPSHOT.jar}"
[ -f "$jar" ] || { log "no $jar: build control-api first (mvn -pl control-api -am package)"; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)" xds_port="$(free_port)"
work="$(mktemp -d /tmp/marchproxy-schemathesis.XXXXXX)"
password="fuzz-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Cheap password hashing: the run is about the API, not PBKDF2 (the login budget still applies).
SERVER_HOST=127.0.0.1 SERVER_PORT="$port" MARCHPROXY_STORE_DIR="$work/data" MARCHPROXY_ADMIN_PASSWORD="$password" \
MARCHPROXY_SECURITY_PBKDF2ITERATIONS=1000 MARCHPROXY_XDS_ENABLED=true MARCHPROXY_XDS_HOST=127.0.0.1 \
MARCHPROXY_XDS_PORT="$xds_port" \
  "$JAVA_HOME/bin/java" "${MP_JVM_FLAGS[@]}" -Xmx512m -cp "$jar" \
  io.marchproxy.control.ControlPlaneMain >"$work/server.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
if ! read -r token cluster_key < <(MARCHPROXY_ADMIN_PASSWORD="$password" python3 "$here/prepare.py" "$base" - "$pid"); then
  cat "$work/server.log" >&2
  log "the control plane did not start"
  exit 1
fi
[ -n "${cluster_key:-}" ] || { cat "$work/server.log" >&2; log "could not log in"; exit 1; }

# Two passes: first the routes a proxy calls with the cluster key, alone, since later operations may rotate that key or
# delete its cluster (a fifth of the time); then every operation.
key_routes='^/api/v1/(proxies/register|proxies/\{id\}/heartbeat|config/)'
key_time=$(( max_time / 5 > 0 ? max_time / 5 : 1 ))
status=0
cd "$work"   # Schemathesis caches past failures in .schemathesis/ here: no replay of other runs, nothing in the repo
for pass in "cluster-key routes:$key_time" "all operations:$(( max_time - key_time > 0 ? max_time - key_time : 1 ))"; do
  name="${pass%%:*}" seconds="${pass##*:}"
  only=()
  [ "$name" = "cluster-key routes" ] && only=(--include-path-regex "$key_routes")
  log "$base, $name: all checks, at most ${seconds}s, $max_examples examples per operation, seed $seed"
  "$st" --config-file "$here/schemathesis.toml" --no-color run "$base/openapi" --url "$base" \
    -H "Authorization: Bearer $token" -H "X-Cluster-Key: $cluster_key" ${only[@]+"${only[@]}"} \
    --checks all --max-time "$seconds" --max-examples "$max_examples" --seed "$seed" --workers 1 \
    --generation-with-security-parameters false --request-timeout 20 --report junit --report-dir "$work/report" \
    "$@" || status=$?
done
mkdir -p "$root/control-api/target/schemathesis"
cp -r "$work/report/." "$work/server.log" "$root/control-api/target/schemathesis/" 2>/dev/null || true
cp -r "$work/.schemathesis" "$root/control-api/target/schemathesis/" 2>/dev/null || true

# A 5xx is caught above; an unhandled exception the server answered otherwise (or logged) is a failure as well.
if grep -q "SEVERE" "$work/server.log"; then
  grep -A20 "SEVERE" "$work/server.log" | head -60 >&2
  log "the server logged errors (control-api/target/schemathesis/server.log)"
  status=1
fi
if [ "$status" -ne 0 ]; then
  log "FAILED (reproduce: control-api/src/test/schemathesis/run.sh --seed $seed)"
else
  log "passed"
fi
exit "$status"
