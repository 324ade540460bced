# shellcheck shell=bash
# MarchProxy perf lab: finding a JDK >= 22 (FFM is final from 22; the default java may be older). Source this file.
#
#   find_jdk          prints JAVA_HOME if it is a JDK >= 22, else the newest JDK >= 22 under /usr/lib/jvm, else nothing
#   java_major DIR    prints the feature version of the JDK at DIR, or nothing

java_major() { # prints the feature version of the JDK at $1, or nothing
  local rel="$1/release" v=""
  [ -x "$1/bin/java" ] || return 0
  [ -f "$rel" ] && v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")"
  [ -n "$v" ] || v="$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
  echo "$v"
}

find_jdk() { # JAVA_HOME if it is >= 22, else the newest JDK >= 22 under /usr/lib/jvm
  local best="" best_v=0 d v
  if [ -n "${JAVA_HOME:-}" ]; then
    v="$(java_major "$JAVA_HOME")"
    if [ -n "$v" ] && [ "$v" -ge 22 ]; then echo "$JAVA_HOME"; return; fi
  fi
  for d in /usr/lib/jvm/*; do
    [ -d "$d" ] && [ ! -L "$d" ] || continue
    v="$(java_major "$d")"
    if [ -n "$v" ] && [ "$v" -ge 22 ] && [ "$v" -gt "$best_v" ]; then best="$d" best_v="$v"; fi
  done
  echo "$best"
}
