/**
 * Certificates and keys: PEM parsing and key-matches-certificate checks with the JDK, and AES-GCM sealing of private
 * keys at rest under the master key. Depends on nothing else in the control plane.
 */
package io.marchproxy.control.certs;
