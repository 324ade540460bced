/**
 * JMH benchmarks of the dataplane's hot paths. Built into {@code benchmarks/target/benchmarks.jar}; run with
 * {@code java --enable-native-access=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar -prof gc}. Depends on
 * dataplane-core; nothing depends on it.
 */
package io.marchproxy.benchmarks;
