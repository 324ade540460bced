# shellcheck shell=bash
# MarchProxy perf lab: the results file. Every harness sources this, calls results_init at its start and
# results_append with its JSON result at the end; each result becomes one line of the results file (JSON Lines):
#
#   {"harness":"perf-lab/run","args":["lb","--seconds","3"],"env":{...},"result":{...}}
#
# env is the fingerprint of the run: git commit (and whether the tree had uncommitted changes to tracked files other
# than results files, plots and markdown), kernel, CPU model and count, memory, the JDK (JAVA_HOME when it is set
# at append time), start and end time (UTC), the load average at the start and at the end, and the PERF_LAB_* options
# in the environment. perf-lab/report turns the file into docs/PERFORMANCE.md.
#
#   results_init HARNESS ARGS...   remember the harness, its arguments, the start time and load
#   results_append JSON            append JSON (one object; the harness's last line) with the fingerprint
#
# PERF_LAB_RESULTS names the file (default perf-lab/results/results.jsonl); PERF_LAB_RESULTS=none records nothing
# (harnesses that run other harnesses set it for them, so a result is recorded once).

RESULTS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=jdk.sh
source "$RESULTS_ROOT/perf-lab/lib/jdk.sh"
RESULTS_HARNESS=""
RESULTS_ARGS="[]"
RESULTS_STARTED=""
RESULTS_LOAD_BEFORE=""

results_init() {
  RESULTS_HARNESS="$1"
  shift
  RESULTS_ARGS="[]"
  [ $# -eq 0 ] || RESULTS_ARGS="$(printf '%s\n' "$@" | jq -Rnc '[inputs]')"
  RESULTS_STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  RESULTS_LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
}

results_file() {
  echo "${PERF_LAB_RESULTS:-$RESULTS_ROOT/perf-lab/results/results.jsonl}"
}

# The fingerprint of this machine and checkout, as one JSON object.
results_env() {
  local commit dirty=false jdk=null cpu_model mem_kib load_after opts
  commit="$(git -C "$RESULTS_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
  if ! git -C "$RESULTS_ROOT" diff --quiet HEAD -- . ':!perf-lab/results' ':!perf-lab/*/results/*' ':!docs/performance' ':!*.md' \
    2>/dev/null; then
    dirty=true
  fi
  local java_home="${JAVA_HOME:-}"
  # a harness that leaves the JDK to perf-lab/run (stats/run, ...) has no JAVA_HOME: the one perf-lab/run would pick
  [ -n "$java_home" ] || java_home="$(find_jdk)"
  if [ -n "$java_home" ] && [ -f "$java_home/release" ]; then
    # shellcheck disable=SC1091 # the JDK's release file: KEY="value" lines
    jdk="$(. "$java_home/release" && jq -cn --arg v "${JAVA_RUNTIME_VERSION:-${JAVA_VERSION:-}}" \
      --arg i "${IMPLEMENTOR:-}" '{version: $v, vendor: $i}')"
  fi
  cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  mem_kib="$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
  load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
  opts="$(env | jq -Rn '[inputs | select(startswith("PERF_LAB_") and (startswith("PERF_LAB_RESULTS=") | not))
    | capture("^(?<key>[^=]*)=(?<value>.*)$")] | from_entries')"
  jq -cn --arg commit "$commit" --argjson dirty "$dirty" --arg kernel "$(uname -r)" --arg cpu "$cpu_model" \
    --argjson cpus "$(nproc)" --argjson mem "${mem_kib:-0}" --argjson jdk "$jdk" --arg started "$RESULTS_STARTED" \
    --arg finished "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg lb "$RESULTS_LOAD_BEFORE" --arg la "$load_after" \
    --argjson opts "$opts" '
    {commit: $commit, dirty: $dirty, kernel: $kernel, cpu_model: $cpu, cpus: $cpus,
     mem_gib: (($mem / 1048576 * 10 | round) / 10), jdk: $jdk, started: $started, finished: $finished,
     loadavg_before: ($lb | split(" ") | map(tonumber)), loadavg_after: ($la | split(" ") | map(tonumber)),
     options: $opts}'
}

results_append() {
  local json="$1" file line
  file="$(results_file)"
  [ "$file" = none ] && return 0
  if [ -z "$json" ] || ! jq -e 'type == "object"' >/dev/null 2>&1 <<<"$json"; then
    echo "perf-lab: no JSON result to record in $file" >&2
    return 0
  fi
  # Checked here, not by set -e: harnesses call this from conditions (if run_lb; ...), where set -e does not apply.
  if ! line="$(jq -cn --arg h "$RESULTS_HARNESS" --argjson a "$RESULTS_ARGS" --argjson e "$(results_env)" \
    --argjson r "$json" '{harness: $h, args: $a, env: $e, result: $r}')" || [ -z "$line" ]; then
    echo "perf-lab: could not record the result in $file (fingerprint failed)" >&2
    return 0
  fi
  mkdir -p "$(dirname "$file")"
  # One writer at a time (harnesses may run side by side); the line is written whole under the lock.
  {
    flock 9
    printf '%s\n' "$line" >&9
  } 9>>"$file"
  echo "perf-lab: result recorded in $file" >&2
}
