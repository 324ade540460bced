/**
 * The perf-lab report: {@link io.marchproxy.perflab.report.PerformanceReport} reads the results file every perf-lab
 * harness appends to (one JSON object per line: the harness, its arguments, the environment fingerprint of the run and
 * its JSON result; {@code perf-lab/lib/results.sh}) and writes docs/PERFORMANCE.md with PNG plots drawn by JFreeChart
 * in headless AWT: Java against C and the kernel per scenario with the spread over rounds, latency CDFs and pps
 * against frame size. {@link io.marchproxy.perflab.report.ResultsFile} reads the file and reports a malformed line by
 * its number instead of failing. Depends on Jackson and JFreeChart only; run by {@code perf-lab/report}.
 */
package io.marchproxy.perflab.report;
