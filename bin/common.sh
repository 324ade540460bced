#!/usr/bin/env bash
# What the repository's scripts share, sourced (not run) and without side effects beyond MP_ROOT: finding a JDK,
# knowing whether the distribution is built and current, building it. Nothing here needs root.

MP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MP_ROOT
# The runnable distribution `mvn package` writes (dist module): bin/marchproxy, conf/jvm.args, lib/.
MP_DIST="$MP_ROOT/dist/target/marchproxy"
# The JVM argument file every launcher and the tests' JVMs use.
MP_JVM_ARGS="$MP_ROOT/dist/src/main/dist/conf/jvm.args"

mp_log() { echo "[marchproxy] $*" >&2; }

# The feature version of the JDK at $1, from its release file (no JVM started).
mp_jdk_feature() {
  local v
  v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true)"
  echo "${v:-0}"
}

# Exports JAVA_HOME: itself if it is a JDK (javac) >= 23, else the newest such JDK under /usr/lib/jvm. Returns 1 if
# there is none. 23: FFM is final from 22, and the JVM options in conf/jvm.args need 23.
mp_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(mp_jdk_feature "$JAVA_HOME")" -ge 23 ]; then
    export JAVA_HOME
    return 0
  fi
  local best="" best_v=0 d v
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    v="$(mp_jdk_feature "$d")"
    if [ "$v" -ge 23 ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  [ -n "$best" ] || return 1
  export JAVA_HOME="$best"
}

# True when the distribution is missing or older than any source of the modules it is built from.
mp_dist_stale() {
  local stamp="$MP_DIST.built"
  [ -x "$MP_DIST/bin/marchproxy" ] && [ -f "$stamp" ] || return 0
  [ -n "$(cd "$MP_ROOT" && find bpf ffm-bindings/src dataplane-core/src dataplane-lab/src control-api/src node/src \
    dist/src pom.xml ./*/pom.xml -newer "$stamp" -type f -print -quit 2>/dev/null)" ]
}

# Builds the distribution (and the modules under it) with Maven, tests skipped; says what it does, since the first
# build downloads the dependencies.
mp_build_dist() {
  if [ -x "$MP_DIST/bin/marchproxy" ]; then
    mp_log "sources changed since the last build (or it was not built by bin/node, bin/test or bin/marchproxy):" \
      "rebuilding (mvn package, tests skipped; about a minute)..."
  else
    mp_log "building MarchProxy (mvn package, tests skipped): the first build downloads about 150 MB of" \
      "dependencies into ~/.m2 and takes a few minutes; later runs rebuild only when sources change..."
  fi
  # When the build started: sources saved after that are newer than the stamp, and the next run builds again.
  local started
  started=$(date +%s.%N)
  (cd "$MP_ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
    mvn -B -q -T1 --no-transfer-progress -Dstyle.color=never -pl dist -am package -DskipTests \
    -Dmaven.javadoc.skip=true -Dmaven.source.skip=true >&2)
  # The stamp is a file of its own: the distribution's files keep the times of their sources, older than the build.
  touch -d "@$started" "$MP_DIST.built"
  mp_log "built: $MP_DIST"
}

# For bin/node and bin/agent: when the arguments ask for help or the version, answers them (as `marchproxy $1 ...`)
# without root, installs or builds, and exits; returns otherwise. Before the first build there is nothing to ask, so it
# says how to build.
mp_answer_help() {
  local command="$1" arg
  shift
  for arg in "$@"; do
    case "$arg" in
      -h|--help|-V|--version)
        if [ -x "$MP_DIST/bin/marchproxy" ]; then
          exec "$MP_DIST/bin/marchproxy" "$command" "$@"
        fi
        echo "bin/$command: MarchProxy is not built yet. The first \`bin/$command\` (as root) installs the packages it" \
          "needs and builds it; after that \`bin/$command --help\` lists the options. They are also in README.md."
        exit 0
        ;;
    esac
  done
}
