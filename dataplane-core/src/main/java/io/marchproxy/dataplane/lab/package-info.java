/**
 * The lab node: a runnable dataplane that, given no interface, builds its own veth lab, attaches the XDP program, drives
 * UDP traffic through it from the peer namespace and prints live counters until stopped. It is what the README's run
 * command starts until the control plane hosts the dataplane.
 */
package io.marchproxy.dataplane.lab;
