#!/usr/bin/env bash
# Shared set-up for bin/node and bin/test (sourced, not run): installs what a fresh Debian 12 machine lacks, mounts
# bpffs, finds a JDK >= 23 under /usr/lib/jvm and exports JAVA_HOME. Idempotent and quiet when all is in place.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ "$(id -u)" -ne 0 ]; then
  mp_log "must run as root: XDP, eBPF maps, AF_XDP and network namespaces need CAP_BPF/CAP_NET_ADMIN/CAP_SYS_ADMIN"
  exit 1
fi

# Debian packages: the BPF toolchain, iproute2 for labs, gcc for the ABI test and C references, Maven, wrk for perf-lab,
# nftables for the L4 lab's kernel NAT path and ethtool for its links' offloads, fontconfig and a font for the perf-lab
# report's plots (headless AWT draws text with them). (benchmarks/hsdis/build installs libcapstone-dev itself.)
MP_PACKAGES=(clang llvm libbpf-dev libbpf1 libelf-dev zlib1g-dev bpftool iproute2 util-linux gcc libc6-dev make maven
  python3 python3-venv wrk jq nftables ethtool fontconfig fonts-dejavu-core)
missing=()
for p in "${MP_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  mp_log "installing Debian packages (apt-get; a minute or two on a fresh machine): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# bpffs: not mounted on a fresh machine.
if ! mount | grep -q " /sys/fs/bpf type bpf"; then
  mount -t bpf bpf /sys/fs/bpf
  mp_log "mounted bpffs at /sys/fs/bpf"
fi

# A JDK >= 23; the default java may be older.
if ! mp_find_jdk; then
  mp_log "no JDK >= 23 found under /usr/lib/jvm: install one (e.g. Temurin 25) and rerun"
  exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own guava uses sun.misc.Unsafe; JDK 24+ warns about it on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
# The JVM options of every MarchProxy JVM are in one argument file (dist/src/main/dist/conf/jvm.args): scripts that
# start a JVM of their own pass "${MP_JVM_FLAGS[@]}". MP_NODE_JVM_FLAGS is what operators add (MARCHPROXY_JVM_OPTS,
# split on spaces, e.g. -Xmx2g); the node's GC options are in the argument file too.
MP_JVM_FLAGS=("@$MP_JVM_ARGS")
# shellcheck disable=SC2206
MP_NODE_JVM_FLAGS=(${MARCHPROXY_JVM_OPTS:-})
