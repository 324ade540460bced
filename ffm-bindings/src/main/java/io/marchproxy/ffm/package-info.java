/**
 * Raw foreign-function bindings, written by hand in jextract's shape because jextract cannot run here: one class per C
 * header, a {@code MethodHandle} per function (reachable as {@code name$handle()}), {@code StructLayout}s whose names
 * and member names are the C ones, and constants under their C names. This package holds what every header class
 * shares: symbol lookup ({@link io.marchproxy.ffm.Downcalls}), {@code errno} capture ({@link io.marchproxy.ffm.CallState})
 * and the typed error it becomes ({@link io.marchproxy.ffm.ErrnoException}).
 *
 * <p>The ABI conformance test compiles a C program against the installed headers and checks every layout, member
 * offset and constant declared here. This module depends on nothing but the JDK; everything else may depend on it.
 */
package io.marchproxy.ffm;
