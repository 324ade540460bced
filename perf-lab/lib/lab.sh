# shellcheck shell=bash
# MarchProxy perf lab: network-namespace labs for the AF_XDP scenarios. Source this file (bash), then:
#
#   lab_trap                 tear down on exit, Ctrl-C and TERM (also kills the jobs registered with lab_track)
#   lab_create PAIRS         two namespaces "mplab-<pid>-<n>-dut" / "-peer" and PAIRS veth pairs between them:
#                              dut:mpd<i> 10.213.<i+1>.1/24  <->  peer:mpp<i> 10.213.<i+1>.2/24
#                            IPv6 off, links up, static (permanent) neighbour entries both ways.
#                            Sets LAB_DUT, LAB_PEER (namespace names).
#   lab_mac NS DEV           MAC address of DEV in namespace NS
#   lab_exec NS CMD...       runs CMD in NS with nsenter --net (keeps /sys and bpffs, unlike `ip netns exec`)
#   lab_spawn NS OUT ERR CMD...  starts CMD in NS in the background (stdout to OUT, stderr to ERR), sets LAB_PID to
#                            its pid (the command itself: nsenter and taskset exec it) and tracks it
#   lab_track PID            kill PID (TERM, then KILL) at teardown if it still runs
#   lab_destroy              kills the tracked jobs, deletes this lab's namespaces (and with them veths and XDP)
#
# Every address lives inside the lab's namespaces; nothing is added to the root namespace.

LAB_PREFIX="mplab-$$"
LAB_SEQ=0
LAB_NAMESPACES=()
LAB_PIDS=()
LAB_PID=""
LAB_DUT=""
LAB_PEER=""

lab_exec() {
  local ns="$1"
  shift
  nsenter --net="/var/run/netns/$ns" "$@"
}

lab_mac() {
  ip -n "$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

lab_spawn() {
  local ns="$1" out="$2" err="$3"
  shift 3
  nsenter --net="/var/run/netns/$ns" "$@" >"$out" 2>"$err" &
  LAB_PID=$!
  lab_track "$LAB_PID"
}

lab_track() {
  LAB_PIDS+=("$1")
}

lab_create() {
  local pairs="${1:-1}" i net dmac pmac
  LAB_SEQ=$((LAB_SEQ + 1))
  LAB_DUT="$LAB_PREFIX-$LAB_SEQ-dut"
  LAB_PEER="$LAB_PREFIX-$LAB_SEQ-peer"
  for ns in "$LAB_DUT" "$LAB_PEER"; do
    ip netns add "$ns"
    LAB_NAMESPACES+=("$ns")
    lab_exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  for ((i = 0; i < pairs; i++)); do
    net="10.213.$((i + 1))"
    ip link add "mpd$i" netns "$LAB_DUT" type veth peer name "mpp$i" netns "$LAB_PEER"
    ip -n "$LAB_DUT" addr add "$net.1/24" dev "mpd$i"
    ip -n "$LAB_PEER" addr add "$net.2/24" dev "mpp$i"
    ip -n "$LAB_DUT" link set "mpd$i" up
    ip -n "$LAB_PEER" link set "mpp$i" up
    dmac="$(lab_mac "$LAB_DUT" "mpd$i")"
    pmac="$(lab_mac "$LAB_PEER" "mpp$i")"
    ip -n "$LAB_DUT" neigh replace "$net.2" lladdr "$pmac" dev "mpd$i" nud permanent
    ip -n "$LAB_PEER" neigh replace "$net.1" lladdr "$dmac" dev "mpp$i" nud permanent
  done
}

lab_kill_tracked() {
  local pid n
  for pid in "${LAB_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${LAB_PIDS[@]}"; do
    for ((n = 0; n < 30; n++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  LAB_PIDS=()
}

lab_destroy() {
  local ns
  lab_kill_tracked
  for ns in "${LAB_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  LAB_NAMESPACES=()
  LAB_DUT=""
  LAB_PEER=""
}

lab_trap() {
  trap 'lab_destroy' EXIT
  trap 'echo "perf-lab: interrupted, cleaning up" >&2; exit 130' INT TERM HUP
}
