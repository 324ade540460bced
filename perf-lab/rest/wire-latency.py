#!/usr/bin/env python3
"""Request latencies as seen on the wire: reads `tcpdump -tt -nn` text of one benchmark phase from stdin and, per
client connection, takes the time from the client's request segment to the server's first response segment (kernel
timestamps on the loopback device). That is the latency any client with a responsive event loop sees; it leaves out
only the load generator's own time between the socket and its statistics.
  wire-latency.py SERVER_PORT < tcpdump.txt   ->   "<n> requests, p50 <ms> p90 <ms> p99 <ms> p99.9 <ms> max <ms>, <pct> within 5 ms"
"""
import re
import sys

port = sys.argv[1]
line_re = re.compile(r"^([\d.]+) IP [\d.]+\.(\d+) > [\d.]+\.(\d+): .* length (\d+)")
sent = {}
latencies = []
for line in sys.stdin:
    m = line_re.match(line)
    if not m or m.group(4) == "0":
        continue
    t, src, dst = float(m.group(1)), m.group(2), m.group(3)
    if dst == port:
        sent.setdefault(src, t)  # a request split over segments starts at its first one
    elif src == port and dst in sent:
        latencies.append(1000.0 * (t - sent.pop(dst)))

if not latencies:
    print("no requests captured")
    sys.exit(0)
latencies.sort()
n = len(latencies)


def pct(p):
    return latencies[min(n - 1, int(n * p / 100.0))]


within = sum(1 for x in latencies if x <= 5.0)
print("%d requests, p50 %.2f ms p90 %.2f ms p99 %.2f ms p99.9 %.2f ms max %.1f ms, %.2f%% within 5 ms"
      % (n, pct(50), pct(90), pct(99), pct(99.9), latencies[-1], 100.0 * within / n))
