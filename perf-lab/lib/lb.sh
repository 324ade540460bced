# shellcheck shell=bash
# MarchProxy perf lab, scenario lb: the node's forwarding path three ways in the same kind of lab, one after the other
# in each round (java, l2fwd, kernel):
#
#   java    the dataplane's L4 proxy (io.marchproxy.perflab.LbScenario): UDP service VIP:9 -> backend 10.213.2.2:9
#           (and VIP:7 -> :7 for the round trips), full NAT, AF_XDP on mpd0 and mpd1
#   l2fwd   xsk_ref --scenario l2fwd mpd0 -> mpd1: plain AF_XDP forwarding, the ceiling of any AF_XDP forwarder (with
#           the TX budget the proxy uses: one batch per kick, see lb_tx_budget)
#   kernel  the DUT's own stack: ip_forward=1, nftables DNAT VIP -> backend and masquerade out of mpd1
#
# With --offload the round is java (every frame through the Java path), offload (the same proxy with flow offload: the
# two with --qos off, so they differ by the offload alone: a service with a QoS policy is never offloaded; the
# XDP program forwards the flow once the proxy decided it), kernel, and drop (an XDP program dropping every frame on
# mpd0: the floor of any XDP forwarder); the peer's veths get NAPI (see lb_peer_napi, --peer) the same way for all
# four; and after each CPU window, the XDP program's run time per packet is read
# with kernel.bpf_stats_enabled on for a second of the same traffic (never during the window: the statistics add two
# clock reads to every run).
#
# udpgen sends the same 60-byte frames (10.213.1.2:9 -> VIP:9, to mpd0's MAC) for all of them, straight out of mpp0
# (--source packet, plain lb's default) or relayed as XDP frames through mpg0 -> mpg1 (--source xdp, lb --offload's
# default, see lb_source_setup); pktsink counts what reaches mpp1. The primary figure is CPU time per forwarded packet
# on the DUT's CPU: its busy share (/proc/stat) over a window times 1e9 / the packets reaching the sink over the same
# window, and its share attributed to the forwarding path per frame the DUT sent out of mpd1 (lb-sample). Then (java, kernel) UdpRtt measures UDP
# round trips through the same path at low rate. Sourced by perf-lab/run, which defines the options, the build, the
# steering functions and PRIO; see perf-lab/README.md.

LB_BACKEND=10.213.2.2
LB_CLIENT=10.213.1.2
LB_PORT=9      # throughput: udpgen's port; dropped in the peer's raw prerouting (counted), so no ICMP comes back
LB_ECHO_PORT=7 # round trips: UdpRtt's echo server listens on the backend address

# The peer's side of an lb lab: the VIP range routed via the DUT, software checksums (a user-space NAT rewrites
# checksums incrementally: a partial one left to an offload veth does not have would stay wrong), and the throughput
# traffic dropped, and counted, as early as the peer's stack allows.
lb_lab_setup() {
  local dev
  ip -n "$LAB_PEER" route add "${LB_VIP%.*}.0/24" via 10.213.1.1 dev mpp0
  for dev in mpp0 mpp1; do
    lab_exec "$LAB_PEER" ethtool -K "$dev" tx off >/dev/null
  done
  lab_exec "$LAB_PEER" nft -f - <<EOF
table ip perflab {
  chain pre {
    type filter hook prerouting priority raw; policy accept;
    iifname "mpp1" udp dport $LB_PORT counter drop
  }
}
EOF
}

# lb --source xdp: the source's frames reach mpd0 as XDP frames. udpgen sends out of mpg0, a veth pair of its own in
# the peer's namespace; xdp_relay on mpg1 (perf-lab/c/xdp_drop.bpf.c, attached by xdprelay) redirects each frame into
# mpp0, which hands it to mpd0's NAPI as an XDP frame: the skb-to-XDP copy that a veth makes of a socket's frames runs
# at mpg1, on the source CPU, instead of at mpd0 on the DUT's. mpd0 gets GRO, so that it has NAPI (the frames' way in)
# also with no XDP program (the kernel path); lb_steer_dut threads that NAPI on the DUT CPU for every implementation.
lb_source_setup() {
  [ "$LB_SOURCE" = xdp ] || return 0
  ip link add mpg0 netns "$LAB_PEER" type veth peer name mpg1 netns "$LAB_PEER"
  ip -n "$LAB_PEER" link set mpg0 up
  ip -n "$LAB_PEER" link set mpg1 up
  lab_exec "$LAB_DUT" ethtool -K mpd0 gro on >/dev/null
  if [ "$LB_COALESCE" -gt 0 ]; then
    ns_sysfs_write "$LAB_DUT" mpd0/gro_flush_timeout "$((LB_COALESCE * 1000))" &&
      ns_sysfs_write "$LAB_DUT" mpd0/napi_defer_hard_irqs 100 ||
      echo "perf-lab: warning: mpd0's NAPI coalescing not set" >&2
  fi
  lab_exec "$LAB_PEER" "$OUT/bin/xdprelay" --from mpg1 --to mpp0 --bpf-object "$DROP_OBJ"
}

# The kernel's NAT path in the DUT: what LbScenario configures in the proxy, as nftables rules.
lb_kernel_setup() {
  lab_exec "$LAB_DUT" sysctl -qw net.ipv4.ip_forward=1
  lab_exec "$LAB_DUT" nft -f - <<EOF
table ip perflab {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr $LB_VIP udp dport { $LB_PORT, $LB_ECHO_PORT } counter dnat to $LB_BACKEND
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "mpd1" counter masquerade
  }
}
EOF
}

# lb --offload, for every implementation of the run: the peer's veths get the NAPI that frames an XDP program
# redirects into their DUT side need to arrive (PLATFORM.md: a veth delivers such frames only into a peer with an XDP
# program or GRO on). mpp0 gets GRO for the echoes coming back; mpp1 as --peer says (LB_PEER):
#   sink           (default) xdp_sink on mpp1 drops the throughput traffic in XDP, in the peer's NAPI, which runs
#                  where the DUT's transmit schedules it: on the DUT CPU, for all four alike; passes the echoes
#   gro            GRO on instead: the peer's stack drops the throughput traffic (nftables raw, counted), its NAPI on
#                  the DUT CPU for redirected frames (the kernel path's skbs, not eligible for the peer's GRO, reach
#                  the source CPU through RPS)
#   sink-threaded, gro-threaded  the same with the peer's NAPI threads moved to the source CPU: every batch then wakes
#                  a thread on the other CPU, and the source CPU, which also sends, falls behind and drops frames at
#                  the peer's ring (the DUT's egress count, lb-sample's fwd_pps, still counts them)
# mpp1's rx_packets, which the sink counts, include what its XDP program dropped.
lb_peer_napi() {
  local dev pid n=0
  case "$LB_PEER" in
    gro | gro-threaded) lab_exec "$LAB_PEER" ethtool -K mpp1 gro on >/dev/null ;;
    sink | sink-threaded)
      ip -n "$LAB_PEER" link set dev mpp1 "$([ "$MODE" = drv ] && echo xdpdrv || echo xdpgeneric)" obj "$DROP_OBJ" \
        program xdp_sink || echo "perf-lab: warning: xdp_sink not attached to mpp1" >&2
      ;;
  esac
  lab_exec "$LAB_PEER" ethtool -K mpp0 gro on >/dev/null
  [ "$STEER" = 1 ] && [ "$MODE" = drv ] && [[ "$LB_PEER" == *-threaded ]] || return 0
  for dev in mpp0 mpp1; do
    ns_sysfs_write "$LAB_PEER" "$dev/threaded" 1 || continue
    for pid in $(pgrep "^napi/$dev-[0-9]+\$" || true); do
      taskset -pc "$CPU_GEN" "$pid" >/dev/null && renice -n "$NICE" -p "$pid" >/dev/null && n=$((n + 1))
    done
  done
  [ "$n" -gt 0 ] || echo "perf-lab: warning: no threaded NAPI for mpp0/mpp1" >&2
}

# The run time per packet of the XDP program on mpd0, from kernel.bpf_stats_enabled switched on for one second of the
# same traffic after the CPU window (the statistics cost every run two clock reads, which the CPU figures must not
# carry; other programs on the machine pay them for that second too). Prints a JSON object, or nothing.
lb_xdp_stats() {
  local id a b
  id="$(ip -n "$LAB_DUT" -j link show dev mpd0 2>/dev/null | jq -r '.[0].xdp.prog.id // empty' || true)"
  [ -n "$id" ] || return 0
  LB_BPF_STATS_WAS="$(sysctl -n kernel.bpf_stats_enabled)"
  sysctl -qw kernel.bpf_stats_enabled=1
  sleep 0.2
  a="$(bpftool -j prog show id "$id" 2>/dev/null || true)"
  sleep 1
  b="$(bpftool -j prog show id "$id" 2>/dev/null || true)"
  sysctl -qw kernel.bpf_stats_enabled="$LB_BPF_STATS_WAS"
  LB_BPF_STATS_WAS=""
  jq -cn --argjson a "${a:-null}" --argjson b "${b:-null}" '
    if $a == null or $b == null or (($b.run_cnt // 0) - ($a.run_cnt // 0)) <= 0 then null else
    {prog: $b.name, id: $b.id, runs: ($b.run_cnt - $a.run_cnt),
     ns_per_run: (($b.run_time_ns - $a.run_time_ns) / ($b.run_cnt - $a.run_cnt) | round)} end'
}

lb_nft_counter() { # NS -> packets of the first counter in table ip perflab
  lab_exec "$1" nft list table ip perflab 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -n 1
}

# Kernel receive work of the DUT's interfaces on CPU D: threaded NAPI (drv mode, an XDP program attached) as steer_dut
# does, else RPS (the kernel path has no XDP program, so veth runs no NAPI: the backlog of CPU D takes the frames).
lb_steer_dut() {
  local impl="$1" dev
  [ "$STEER" = 1 ] || return 0
  case "$impl" in
    java | offload) steer_dut mpd0; steer_dut mpd1 ;;
    l2fwd | drop) steer_dut mpd0 ;;
    kernel)
      # --source xdp: the frames come in through mpd0's NAPI (GRO on), threaded on CPU D as for the others (RPS
      # there would only add a hop to the same CPU)
      local rps=(mpd0 mpd1)
      [ "$LB_SOURCE" = xdp ] && steer_dut mpd0 && rps=(mpd1)
      for dev in "${rps[@]}"; do
        ns_sysfs_write "$LAB_DUT" "$dev/queues/rx-0/rps_cpus" "$(printf '%x' $((1 << CPU_DUT)))" ||
          echo "perf-lab: warning: RPS on $dev not set" >&2
      done
      ;;
  esac
}

# Moves the kernel's receive work of the DUT interfaces to CPU $2 (for the round trips "offcore"): java's NAPI threads,
# the kernel path's RPS.
lb_steer_rx() {
  local impl="$1" cpu="$2" pid dev
  [ "$STEER" = 1 ] || return 0
  case "$impl" in
    java | offload)
      for pid in $(pgrep '^napi/mpd[01]-' || true); do taskset -pc "$cpu" "$pid" >/dev/null || true; done
      ;;
    kernel)
      for dev in mpd0 mpd1; do
        ns_sysfs_write "$LAB_DUT" "$dev/queues/rx-0/rps_cpus" "$(printf '%x' $((1 << cpu)))" || true
      done
      ;;
  esac
}

# UDP round trips through the VIP from the peer (UdpRtt: client and echo server there, on the source CPU); prints
# its JSON line, or nothing.
lb_rtt() {
  local impl="$1" phase="$2"
  # shellcheck disable=SC2086 # PERF_LAB_RTT_OPTS: extra UdpRtt options (e.g. --warmup-requests 5000), split on spaces
  lab_exec "$LAB_PEER" "${PRIO[@]}" taskset -c "$CPU_GEN" timeout -k 5 60 "$JAVA" -cp "$JAR" io.marchproxy.perflab.UdpRtt \
    --server "$LB_BACKEND:$LB_ECHO_PORT" --client "$LB_CLIENT" --target "$LB_VIP:$LB_ECHO_PORT" \
    --requests "$RTT_REQUESTS" ${PERF_LAB_RTT_OPTS:-} >"$RUN_DIR/rtt.out" 2>"$RUN_DIR/rtt.err" || true
  [ -s "$RUN_DIR/rtt.err" ] && sed "s/^/perf-lab: $impl udprtt ($phase): /" "$RUN_DIR/rtt.err" >&2
  grep '^{' "$RUN_DIR/rtt.out" | tail -n 1 || true
}

# ---- one implementation in a fresh lab ------------------------------------------------------------------------------
# Fills L_DUT (the implementation's JSON; none for kernel and drop), L_SINK, L_SAMPLE, L_GEN, L_RTT, L_RTT_OFF,
# L_PEER_DROPS, L_NAT, L_XDP (--offload: the XDP program's run time).
# Returns 1 if the run failed.
# The copy-mode TX budget of the l2fwd reference: --tx-budget if given, else what the Java proxy asks for (one batch of
# frames per kick when the batch is over the kernel's 32, L4Proxy), so that the two kick alike.
lb_tx_budget() {
  if [ "$TX_BUDGET" != 0 ]; then echo "$TX_BUDGET"; elif [ "$BATCH" -gt 32 ]; then echo "$BATCH"; else echo 0; fi
}

lb_run_impl() {
  local impl="$1" limit=$((WARMUP + SECONDS_ + START_TIMEOUT + 10)) dut_pid="" gen_pid sink_pid sample_pid anchor_pid
  local rc=0 i dev sink_ns sink_if=mpp1 egress
  local -a cmd
  L_DUT="" L_DUT_WINDOW="" L_SINK="" L_SAMPLE="" L_GEN="" L_RTT="" L_RTT_OFF="" L_PEER_DROPS="" L_NAT="" L_XDP=""
  lab_create 2
  lb_lab_setup
  lb_source_setup || { echo "perf-lab: lb $impl: the XDP source (mpg0 -> mpg1 -> mpp0) failed" >&2; lab_destroy; return 1; }
  steer_peer
  [ "$OFFLOAD" = 1 ] && lb_peer_napi
  sink_ns="$LAB_PEER"
  # drop forwards nothing: the frames its program took are counted at mpd0 (veth counts what its XDP saw)
  [ "$impl" = drop ] && sink_ns="$LAB_DUT" sink_if=mpd0
  # A process that stays in the sink's namespace as long as the lab: the sampler reads the sink's counter from its
  # /proc/PID/net/dev (pktsink may have ended by the last sample).
  lab_spawn "$sink_ns" /dev/null /dev/null sleep "$((limit + 300))"
  anchor_pid="$LAB_PID"
  # The same in the DUT's namespace, for the frames the DUT sends out of mpd1 (drop forwards nothing)
  egress=""
  if [ "$impl" != drop ]; then
    lab_spawn "$LAB_DUT" /dev/null /dev/null sleep "$((limit + 300))"
    egress="/proc/$LAB_PID/net/dev:mpd1"
  fi
  [ "$impl" = kernel ] && lb_kernel_setup
  lab_spawn "$sink_ns" "$RUN_DIR/sink.out" "$RUN_DIR/sink.err" "${PRIO[@]}" taskset -c "$CPU_GEN" \
    timeout -k 5 "$limit" "$OUT/bin/pktsink" --ifname "$sink_if" --seconds "$SECONDS_" --warmup "$WARMUP" \
    --start-timeout "$START_TIMEOUT"
  sink_pid="$LAB_PID"
  case "$impl" in
    java | offload)
      # shellcheck disable=SC2206 # PERF_LAB_JAVA_OPTS: extra JVM options; PERF_LAB_LB_OPTS: LbScenario's (--ring ...)
      # The flags Chronicle Queue needs for --journal (bin/setup.sh's MP_JVM_FLAGS), analytics off.
      cmd=("$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
        --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
        --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
        --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
        --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
        --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED -Dchronicle.analytics.disable=true
        ${PERF_LAB_JAVA_OPTS:-} -cp "$JAR" io.marchproxy.perflab.LbScenario
        --front mpd0 --back mpd1 --vip "$LB_VIP" --backend "$LB_BACKEND" --ports "$LB_PORT,$LB_ECHO_PORT"
        --seconds "$SECONDS_" --warmup "$WARMUP" --start-timeout "$START_TIMEOUT" --mode "$MODE" --hold 120
        --offload "$([ "$impl" = offload ] && echo 1 || echo 0)" $([ "$OFFLOAD" = 1 ] && echo --qos off)
        ${PERF_LAB_LB_OPTS:-})
      ;;
    drop)
      cmd=()
      ip -n "$LAB_DUT" link set dev mpd0 "$([ "$MODE" = drv ] && echo xdpdrv || echo xdpgeneric)" obj "$DROP_OBJ" \
        program xdp_drop_all || { echo "perf-lab: lb drop: attaching $DROP_OBJ to mpd0 failed" >&2; lab_destroy; return 1; }
      echo "perf-lab: lb drop: xdp_drop_all on mpd0 ($MODE)" >&2
      ;;
    l2fwd)
      cmd=("$OUT/bin/xsk_ref" --scenario l2fwd --ifname mpd0 --ifname2 mpd1 --queue 0 --seconds "$SECONDS_"
        --warmup "$WARMUP" --start-timeout "$START_TIMEOUT" --batch "$BATCH" --ring "$RING" --frames "$FRAMES"
        --frame-size "$FRAME_SIZE" --mode "$MODE" --need-wakeup "$NEED_WAKEUP" --tx-budget "$(lb_tx_budget)"
        --frame-len "$FRAME_LEN" --bpf-object "$BPF_OBJ")
      ;;
    kernel) cmd=() ;;
  esac
  if [ "${#cmd[@]}" -gt 0 ]; then
    echo "perf-lab: lb $impl: $(printf '%q ' "${cmd[@]##*/}")" >&2
    # java serves on after its window until TERM (the round trips come after it): give it room for those
    lab_spawn "$LAB_DUT" "$RUN_DIR/dut.out" "$RUN_DIR/dut.err" "${PRIO[@]}" taskset -c "$CPU_DUT" \
      timeout -k 5 "$((limit + 120))" "${cmd[@]}"
    dut_pid="$LAB_PID"
    # The source starts once the XDP programs are attached (both implementations attach them last).
    for dev in mpd0 $({ [ "$impl" = java ] || [ "$impl" = offload ]; } && echo mpd1); do
      for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        ip -n "$LAB_DUT" -o link show dev "$dev" | grep -q ' xdp' && break
        kill -0 "$dut_pid" 2>/dev/null || break
        sleep 0.1
      done
    done
  elif [ "$impl" = kernel ]; then
    echo "perf-lab: lb kernel: nftables DNAT $LB_VIP -> $LB_BACKEND, masquerade out of mpd1, ip_forward=1" >&2
  fi
  lb_steer_dut "$impl"
  sleep 0.2
  lab_spawn "$LAB_PEER" "$RUN_DIR/gen.out" "$RUN_DIR/gen.err" "${PRIO[@]}" taskset -c "$CPU_GEN" \
    timeout -k 5 "$limit" "$OUT/bin/udpgen" --ifname "$([ "$LB_SOURCE" = xdp ] && echo mpg0 || echo mpp0)" \
    --src-mac "$(lab_mac "$LAB_PEER" mpp0)" --dst-mac "$(lab_mac "$LAB_DUT" mpd0)" --src-ip "$LB_CLIENT" \
    --dst-ip "$LB_VIP" --frame-len "$FRAME_LEN" --seconds "$limit" --pps "$RATE"
  gen_pid="$LAB_PID"
  # Samples over most of the sink's window (it opens WARMUP s after the first packet), at the lab's priority.
  LB_SAMPLE_EGRESS="$egress" "${PRIO[@]}" taskset -c "$CPU_GEN" "$ROOT/perf-lab/lib/lb-sample" "$CPU_DUT" "$CPU_GEN" \
    "$(awk -v w="$WARMUP" 'BEGIN { print w + 0.5 }')" "$(awk -v s="$SECONDS_" 'BEGIN { print (s > 1.5 ? s - 1 : s / 2) }')" \
    "/proc/$anchor_pid/net/dev" "$sink_if" $dut_pid >"$RUN_DIR/sample" 2>"$RUN_DIR/sample.err" &
  sample_pid=$!
  lab_track "$sample_pid"

  # The throughput phase ends with the sink's window and, for the implementations, with theirs: xsk_ref exits,
  # LbScenario prints its window's JSON line and serves on.
  wait "$sink_pid" || true
  if [ "$impl" = l2fwd ]; then
    wait "$dut_pid" || rc=$?
    dut_pid=""
  elif [ "$impl" = java ] || [ "$impl" = offload ]; then
    for ((i = 0; i < (START_TIMEOUT + 10) * 10; i++)); do
      grep -q '^{' "$RUN_DIR/dut.out" 2>/dev/null && break
      kill -0 "$dut_pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  # the XDP program's own time, under the same traffic, after the CPU window
  [ "$OFFLOAD" = 1 ] && L_XDP="$(lb_xdp_stats)"
  kill -TERM "$gen_pid" 2>/dev/null || true
  wait "$gen_pid" || true
  wait "$sample_pid" 2>/dev/null || true
  L_PEER_DROPS="$(lb_nft_counter "$LAB_PEER")"
  [ "$impl" = kernel ] && L_NAT="$(lb_nft_counter "$LAB_DUT")"

  # Round trips at low rate through the same path (the l2fwd reference does no NAT: nothing would come back): first
  # as the throughput ran (the DUT interfaces' receive work on the DUT CPU), then with that work moved to the source
  # CPU, so that the implementation has its CPU to itself ("offcore").
  if [ "$impl" != l2fwd ] && [ "$impl" != drop ] && [ "$RTT_REQUESTS" -gt 0 ] &&
    { [ "$impl" = kernel ] || kill -0 "$dut_pid" 2>/dev/null; }; then
    L_RTT="$(lb_rtt "$impl" oncore)"
    lb_steer_rx "$impl" "$CPU_GEN"
    L_RTT_OFF="$(lb_rtt "$impl" offcore)"
  fi
  if [ -n "$dut_pid" ]; then
    kill -TERM "$dut_pid" 2>/dev/null || true
    wait "$dut_pid" || rc=$?
  fi
  L_SINK="$(grep '^{' "$RUN_DIR/sink.out" | tail -n 1 || true)"
  L_GEN="$(grep '^{' "$RUN_DIR/gen.out" | tail -n 1 || true)"
  L_SAMPLE="$(cat "$RUN_DIR/sample" 2>/dev/null || true)"
  # a sampler that could not take its two samples says why
  { [ -n "${LB_SAMPLE_DEBUG:-}" ] || ! grep -q '"ns_per_pkt":[0-9]' "$RUN_DIR/sample" 2>/dev/null; } &&
    sed "s/^/perf-lab: lb-sample: /" "$RUN_DIR/sample.err" >&2
  local has_dut=1
  { [ "$impl" = kernel ] || [ "$impl" = drop ]; } && has_dut=0
  [ "$has_dut" = 1 ] && L_DUT="$(grep '^{' "$RUN_DIR/dut.out" | tail -n 1 || true)"
  # java, offload: its line at the window's end (the counters before the round trips)
  { [ "$impl" = java ] || [ "$impl" = offload ]; } && L_DUT_WINDOW="$(grep '^{' "$RUN_DIR/dut.out" | head -n 1 || true)"
  lab_destroy
  [ "$has_dut" = 1 ] && [ -s "$RUN_DIR/dut.err" ] && sed "s/^/perf-lab: $impl stderr: /" "$RUN_DIR/dut.err" >&2
  # TERM ends LbScenario's serving: exit 0 after a full window (timeout's 124 would mean it hung)
  if [ "$rc" -ne 0 ] || [ -z "$L_SINK" ] || [ -z "$L_SAMPLE" ] || ! jq -e . >/dev/null 2>&1 <<<"$L_SAMPLE" ||
    { [ "$has_dut" = 1 ] && ! jq -e . >/dev/null 2>&1 <<<"$L_DUT"; }; then
    echo "perf-lab: lb $impl run failed (exit $rc)" >&2
    sed 's/^/  udpgen: /' "$RUN_DIR/gen.err" >&2
    sed 's/^/  pktsink: /' "$RUN_DIR/sink.err" >&2
    sed 's/^/  lb-sample: /' "$RUN_DIR/sample.err" >&2
    return 1
  fi
  return 0
}

# ---- rounds, table, JSON --------------------------------------------------------------------------------------------
run_lb() {
  local round impl ok=1 load_before load_after
  local -a impls=()
  local -A rounds=()
  load_before="$(cut -d' ' -f1 /proc/loadavg)"
  if awk -v l="$load_before" 'BEGIN { exit !(l > 1.0) }'; then
    echo "perf-lab: warning: load average $load_before before the runs: other work on this machine lowers and" \
      "scatters the figures (use --repeat)" >&2
  fi
  case "$IMPL" in
    all) if [ "$OFFLOAD" = 1 ]; then impls=(java offload kernel drop); else impls=(java l2fwd kernel); fi ;;
    *) impls=("$IMPL") ;;
  esac
  for impl in java l2fwd kernel offload drop; do rounds[$impl]="[]"; done
  for ((round = 1; round <= REPEAT; round++)); do
    for impl in "${impls[@]}"; do
      local r
      if lb_run_impl "$impl"; then
        r="$(jq -cn --argjson dut "${L_DUT:-null}" --argjson sink "$L_SINK" --argjson sample "$L_SAMPLE" \
          --argjson gen "${L_GEN:-null}" --argjson rtt "${L_RTT:-null}" --argjson rtt_off "${L_RTT_OFF:-null}" \
          --argjson peer_drops "${L_PEER_DROPS:-null}" --argjson win "${L_DUT_WINDOW:-null}" \
          --argjson nat "${L_NAT:-null}" --argjson xdp "${L_XDP:-null}" --argjson round "$round" '
          {round: $round, ok: true, sink_pps: $sink.pps, ns_per_pkt: $sample.ns_per_pkt,
           busy_dut_pct: $sample.busy_dut_pct, busy_source_pct: $sample.busy_source_pct,
           softirq_dut_pct: $sample.softirq_dut_pct, napi_dut_pct: $sample.napi_dut_pct,
           own_ns_per_pkt: $sample.own_ns_per_pkt, own_dut_pct: $sample.own_dut_pct,
           fwd_pps: $sample.fwd_pps, fwd_ns_per_pkt: $sample.fwd_ns_per_pkt,
           own_fwd_ns_per_pkt: $sample.own_fwd_ns_per_pkt,
           foreign_dut_pct: $sample.foreign_dut_pct, idle_dut_pct: $sample.idle_dut_pct,
           sample_sink_pps: $sample.sink_pps, source_pps: ($gen.pps // null),
           impl_pps: ($dut.pps // null),
           proc_ns_per_pkt: (if ($dut.cpu_seconds // null) != null and ($dut.packets // 0) > 0
                                 then ($dut.cpu_seconds * 1e9 / $dut.packets | round) else null end),
           loop_thread_cpu_seconds: ($dut.loop_thread_cpu_seconds // null),
           rtt_p50_us: ($rtt.p50_us // null), rtt_p90_us: ($rtt.p90_us // null), rtt_p99_us: ($rtt.p99_us // null),
           rtt_max_us: ($rtt.max_us // null), rtt_lost: ($rtt.lost // null), rtt_cdf_us: ($rtt.cdf_us // null),
           rtt_offcore_p50_us: ($rtt_off.p50_us // null), rtt_offcore_p99_us: ($rtt_off.p99_us // null),
           rtt_offcore_max_us: ($rtt_off.max_us // null), rtt_offcore_lost: ($rtt_off.lost // null),
           rtt_offcore_cdf_us: ($rtt_off.cdf_us // null),
           peer_dropped: $peer_drops, kernel_dnat_packets: $nat,
           drops: ($dut.drops // null), drops_by_reason: ($dut.drops_by_reason // null), xdp_redirected: ($dut.xdp.redirected // null),
           received: ($dut.received // null), window_to_clients: ($win.to_clients // null),
           xdp_ns_per_run: ($xdp.ns_per_run // null), xdp_runs: ($xdp.runs // null),
           flows_offloaded: ($dut.offload.offloaded // null), xdp_flow_forwarded: ($dut.xdp.flow_forwarded // null)}')"
      else
        ok=0
        r="{\"round\":$round,\"ok\":false}"
      fi
      rounds[$impl]="$(jq -c --argjson r "$r" '. + [$r]' <<<"${rounds[$impl]}")"
      jq -r --arg impl "$impl" '"perf-lab: lb round \(.round) \($impl): sink \(.sink_pps // "-") pps, "
        + "\(.ns_per_pkt // "-") ns/pkt on the DUT CPU (busy \(.busy_dut_pct // "-") %, own \(.own_ns_per_pkt // "-") ns/pkt), "
        + "DUT sent \(.fwd_pps // "-") pps (own \(.own_fwd_ns_per_pkt // "-") ns per frame sent), "
        + "rtt p50/p99 \(.rtt_p50_us // "-")/\(.rtt_p99_us // "-") us (offcore \(.rtt_offcore_p50_us // "-")/"
        + "\(.rtt_offcore_p99_us // "-") us)"' <<<"$r" >&2
    done
  done
  load_after="$(cut -d' ' -f1 /proc/loadavg)"

  printf '\nscenario lb  mode %s  seconds %s  rate %s  cpus %s  nice %s  rounds %s  load average %s -> %s\n' "$MODE" \
    "$SECONDS_" "$([ "$RATE" = 0 ] && echo max || echo "$RATE")" "$CPUS" "$NICE" "$REPEAT" "$load_before" "$load_after"
  echo "medians over the rounds; ns/pkt: busy share of the DUT CPU x 1e9 / sink pps (same window); own_ns/pkt: the same"
  echo "with the share perf attributes to the forwarding path (the process, NAPI, softirq), other tasks (foreign) left out"
  jq -rn --argjson java "${rounds[java]}" --argjson l2fwd "${rounds[l2fwd]}" --argjson kernel "${rounds[kernel]}" \
    --argjson offload "${rounds[offload]}" --argjson drop "${rounds[drop]}" '
    def med: map(select(. != null)) | if length == 0 then null else sort | if length % 2 == 1
             then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end end;
    def col($rs; $f): [$rs[] | select(.ok) | .[$f]] | med;
    def cell: if . == null then "-" elif type == "number" then (if . == (. | floor) then tostring
              else ((. * 10 | round) / 10 | tostring) end) else tostring end;
    (["impl", "sink_pps", "ns/pkt", "own_ns/pkt", "fwd_pps", "own_fwd_ns", "busy_D%", "own_D%", "foreign_D%", "softirq_D%", "napi_D%",
      "busy_G%", "source_pps", "proc_ns/pkt", "rtt_p50_us", "rtt_p99_us", "offcore_p50", "offcore_p99", "xdp_ns/run"]
      | map(tostring) | @tsv),
    ({java: $java, offload: $offload, l2fwd: $l2fwd, kernel: $kernel, drop: $drop} | to_entries[] | select(.value | length > 0) | . as $e |
      [$e.key] + ([ "sink_pps", "ns_per_pkt", "own_ns_per_pkt", "fwd_pps", "own_fwd_ns_per_pkt", "busy_dut_pct", "own_dut_pct", "foreign_dut_pct",
        "softirq_dut_pct", "napi_dut_pct", "busy_source_pct", "source_pps", "proc_ns_per_pkt", "rtt_p50_us",
        "rtt_p99_us", "rtt_offcore_p50_us", "rtt_offcore_p99_us", "xdp_ns_per_run"] | map(. as $f | col($e.value; $f) | cell))
      | @tsv)' |
    column -t -s $'\t'

  local result
  result="$(jq -cn --argjson java "${rounds[java]}" --argjson l2fwd "${rounds[l2fwd]}" --argjson kernel "${rounds[kernel]}" \
    --argjson offload "${rounds[offload]}" --argjson drop "${rounds[drop]}" --argjson offload_run "$OFFLOAD" \
    --arg peer "$LB_PEER" --arg source "$LB_SOURCE" --argjson coalesce "$LB_COALESCE" --arg mode "$MODE" --arg cpus "$CPUS" --arg vip "$LB_VIP" --argjson seconds "$SECONDS_" --argjson warmup "$WARMUP" \
    --argjson repeat "$REPEAT" --argjson rtt_requests "$RTT_REQUESTS" --argjson nice "$NICE" --argjson steer "$STEER" \
    --argjson rate "$RATE" \
    --argjson frame_len "$FRAME_LEN" --argjson lb "$load_before" --argjson la "$load_after" --argjson ok "$ok" '
    def med: map(select(. != null)) | if length == 0 then null else sort | if length % 2 == 1
             then .[length / 2 | floor] else ((.[length / 2 - 1] + .[length / 2]) / 2) end end;
    def r3: if . == null then null else (. * 1000 | round) / 1000 end;
    def runs($rs; $f): [$rs[] | if .ok then .[$f] else null end];
    def m($rs; $f): runs($rs; $f) | med;
    def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else ($a / $b | r3) end;
    def pairs($a; $b): [range(0; [($a | length), ($b | length)] | min) | select($a[.] != null and $b[.] != null
                        and $b[.] > 0) | ($a[.] / $b[.] | r3)];
    (runs($java; "ns_per_pkt")) as $jn | (runs($l2fwd; "ns_per_pkt")) as $ln | (runs($kernel; "ns_per_pkt")) as $kn |
    {scenario: "lb",
     java_pps: m($java; "sink_pps"), l2fwd_pps: m($l2fwd; "sink_pps"), kernel_pps: m($kernel; "sink_pps"),
     java_ns_per_pkt: m($java; "ns_per_pkt"), l2fwd_ns_per_pkt: m($l2fwd; "ns_per_pkt"),
     kernel_ns_per_pkt: m($kernel; "ns_per_pkt"),
     java_rtt_p50_us: m($java; "rtt_p50_us"), java_rtt_p99_us: m($java; "rtt_p99_us"),
     kernel_rtt_p50_us: m($kernel; "rtt_p50_us"), kernel_rtt_p99_us: m($kernel; "rtt_p99_us"),
     java_rtt_offcore_p50_us: m($java; "rtt_offcore_p50_us"), java_rtt_offcore_p99_us: m($java; "rtt_offcore_p99_us"),
     kernel_rtt_offcore_p50_us: m($kernel; "rtt_offcore_p50_us"),
     kernel_rtt_offcore_p99_us: m($kernel; "rtt_offcore_p99_us"),
     java_l2fwd_ns_ratio: ratio(m($java; "ns_per_pkt"); m($l2fwd; "ns_per_pkt")),
     java_kernel_ns_ratio: ratio(m($java; "ns_per_pkt"); m($kernel; "ns_per_pkt")),
     java_l2fwd_ns_ratio_pairs: pairs($jn; $ln), java_kernel_ns_ratio_pairs: pairs($jn; $kn),
     java_l2fwd_ns_ratio_pairs_median: (pairs($jn; $ln) | med | r3),
     java_kernel_ns_ratio_pairs_median: (pairs($jn; $kn) | med | r3),
     java_pps_runs: runs($java; "sink_pps"), l2fwd_pps_runs: runs($l2fwd; "sink_pps"),
     kernel_pps_runs: runs($kernel; "sink_pps"),
     java_ns_per_pkt_runs: $jn, l2fwd_ns_per_pkt_runs: $ln, kernel_ns_per_pkt_runs: $kn,
     java_rtt_p50_us_runs: runs($java; "rtt_p50_us"), java_rtt_p99_us_runs: runs($java; "rtt_p99_us"),
     kernel_rtt_p50_us_runs: runs($kernel; "rtt_p50_us"), kernel_rtt_p99_us_runs: runs($kernel; "rtt_p99_us"),
     java_busy_dut_pct_runs: runs($java; "busy_dut_pct"), l2fwd_busy_dut_pct_runs: runs($l2fwd; "busy_dut_pct"),
     kernel_busy_dut_pct_runs: runs($kernel; "busy_dut_pct"),
     java_own_ns_per_pkt: m($java; "own_ns_per_pkt"), l2fwd_own_ns_per_pkt: m($l2fwd; "own_ns_per_pkt"),
     kernel_own_ns_per_pkt: m($kernel; "own_ns_per_pkt"),
     java_l2fwd_own_ns_ratio: ratio(m($java; "own_ns_per_pkt"); m($l2fwd; "own_ns_per_pkt")),
     java_kernel_own_ns_ratio: ratio(m($java; "own_ns_per_pkt"); m($kernel; "own_ns_per_pkt")),
     java_own_ns_per_pkt_runs: runs($java; "own_ns_per_pkt"), l2fwd_own_ns_per_pkt_runs: runs($l2fwd; "own_ns_per_pkt"),
     kernel_own_ns_per_pkt_runs: runs($kernel; "own_ns_per_pkt"),
     java_proc_ns_per_pkt: m($java; "proc_ns_per_pkt"), l2fwd_proc_ns_per_pkt: m($l2fwd; "proc_ns_per_pkt"),
     java_impl_pps: m($java; "impl_pps"), l2fwd_impl_pps: m($l2fwd; "impl_pps"),
     source_pps: ([$java[], $l2fwd[], $kernel[] | select(.ok) | .source_pps] | med),
     rounds: ({java: $java, l2fwd: $l2fwd, kernel: $kernel}
       + (if $offload_run == 1 then {offload: $offload, drop: $drop} else {} end)),
     source: $source, coalesce_us: $coalesce, vip: $vip, rate: (if $rate == 0 then null else $rate end), mode: $mode, seconds: $seconds, warmup: $warmup, repeat: $repeat, rtt_requests: $rtt_requests,
     frame_len: $frame_len, cpus: $cpus, nice: $nice, steer: ($steer == 1),
     loadavg_before: $lb, loadavg_after: $la, ok: ($ok == 1)}
    + (if $offload_run != 1 then {} else
      (runs($offload; "ns_per_pkt")) as $on | (runs($drop; "ns_per_pkt")) as $dn |
      {offload: true, peer: $peer,
       offload_pps: m($offload; "sink_pps"), drop_pps: m($drop; "sink_pps"),
       offload_ns_per_pkt: m($offload; "ns_per_pkt"), drop_ns_per_pkt: m($drop; "ns_per_pkt"),
       offload_own_ns_per_pkt: m($offload; "own_ns_per_pkt"), drop_own_ns_per_pkt: m($drop; "own_ns_per_pkt"),
       offload_kernel_ns_ratio: ratio(m($offload; "ns_per_pkt"); m($kernel; "ns_per_pkt")),
       offload_kernel_ns_ratio_pairs: pairs($on; $kn), offload_kernel_ns_ratio_pairs_median: (pairs($on; $kn) | med | r3),
       offload_java_ns_ratio: ratio(m($offload; "ns_per_pkt"); m($java; "ns_per_pkt")),
       offload_kernel_own_ns_ratio: ratio(m($offload; "own_ns_per_pkt"); m($kernel; "own_ns_per_pkt")),
       offload_fwd_pps: m($offload; "fwd_pps"), kernel_fwd_pps: m($kernel; "fwd_pps"), java_fwd_pps: m($java; "fwd_pps"),
       offload_own_fwd_ns_per_pkt: m($offload; "own_fwd_ns_per_pkt"),
       kernel_own_fwd_ns_per_pkt: m($kernel; "own_fwd_ns_per_pkt"),
       java_own_fwd_ns_per_pkt: m($java; "own_fwd_ns_per_pkt"),
       offload_kernel_own_fwd_ns_ratio: ratio(m($offload; "own_fwd_ns_per_pkt"); m($kernel; "own_fwd_ns_per_pkt")),
       offload_kernel_own_fwd_ns_ratio_pairs: pairs(runs($offload; "own_fwd_ns_per_pkt"); runs($kernel; "own_fwd_ns_per_pkt")),
       drop_kernel_ns_ratio: ratio(m($drop; "ns_per_pkt"); m($kernel; "ns_per_pkt")),
       java_xdp_ns_per_run: m($java; "xdp_ns_per_run"), offload_xdp_ns_per_run: m($offload; "xdp_ns_per_run"),
       drop_xdp_ns_per_run: m($drop; "xdp_ns_per_run"),
       offload_rtt_p50_us: m($offload; "rtt_p50_us"), offload_rtt_p99_us: m($offload; "rtt_p99_us"),
       offload_pps_runs: runs($offload; "sink_pps"), drop_pps_runs: runs($drop; "sink_pps"),
       offload_ns_per_pkt_runs: $on, drop_ns_per_pkt_runs: $dn,
       offload_xdp_ns_per_run_runs: runs($offload; "xdp_ns_per_run"),
       offload_flows_offloaded_runs: runs($offload; "flows_offloaded")} end)')"
  echo "$result"
  results_append "$result"
  [ "$ok" = 1 ]
}
