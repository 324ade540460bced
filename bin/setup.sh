#!/usr/bin/env bash
# Shared set-up for bin/node and bin/test (sourced, not run): installs what a fresh Debian 12 machine lacks, mounts
# bpffs, finds a JDK >= 22 under /usr/lib/jvm and exports JAVA_HOME. Idempotent and quiet when all is in place.
set -euo pipefail

MP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MP_ROOT

mp_log() { echo "[marchproxy setup] $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  mp_log "must run as root: XDP, eBPF maps, AF_XDP and network namespaces need CAP_BPF/CAP_NET_ADMIN/CAP_SYS_ADMIN"
  exit 1
fi

# Debian packages: the BPF toolchain, iproute2 for labs, gcc for the ABI test and C references, Maven, wrk for perf-lab,
# nftables for the L4 lab's kernel NAT path and ethtool for its links' offloads, fontconfig and a font for the perf-lab
# report's plots (headless AWT draws text with them).
MP_PACKAGES=(clang llvm libbpf-dev libbpf1 libelf-dev zlib1g-dev bpftool iproute2 util-linux gcc libc6-dev make maven
  python3 python3-venv wrk jq nftables ethtool fontconfig fonts-dejavu-core)
missing=()
for p in "${MP_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  mp_log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# bpffs: not mounted on a fresh machine.
if ! mount | grep -q " /sys/fs/bpf type bpf"; then
  mount -t bpf bpf /sys/fs/bpf
  mp_log "mounted bpffs at /sys/fs/bpf"
fi

# A JDK >= 22 (FFM is final from 22); the default java may be older.
mp_java_feature() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/javac" ] || [ "$(mp_java_feature "$JAVA_HOME")" -lt 22 ] 2>/dev/null; then
  best=""; best_v=0
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    v="$(mp_java_feature "$d" || echo 0)"
    case "$v" in ''|*[!0-9]*) continue ;; esac
    if [ "$v" -ge 22 ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    mp_log "no JDK >= 22 found under /usr/lib/jvm: install one (e.g. Temurin 25) and rerun"
    exit 1
  fi
  export JAVA_HOME="$best"
fi
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own guava uses sun.misc.Unsafe; JDK 24+ warns about it on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
# The JVM flags FFM, agrona and Chronicle need (the same list as marchproxy.jvm.flags in pom.xml).
MP_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
  -Dchronicle.analytics.disable=true)
# The node's JVM (bin/node, and perf-lab/rest/run so the benchmark measures what operators run): G1 aiming at 10 ms
# pauses keeps young collections short while the store grows (open-loop write p99 at 5,000/s about halved, same
# throughput; docs/CONTROL-API.md, Benchmark). MARCHPROXY_JVM_OPTS adds options (split on spaces), e.g. -Xmx2g.
# shellcheck disable=SC2206
MP_NODE_JVM_FLAGS=(-XX:+UseG1GC -XX:MaxGCPauseMillis=10 ${MARCHPROXY_JVM_OPTS:-})
