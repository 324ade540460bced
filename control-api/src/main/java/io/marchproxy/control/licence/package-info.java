/**
 * Licensing: the community tier (3 proxies) and offline-verified enterprise licences, Ed25519-signed tokens checked
 * with the JDK against a configured public key. Depends on nothing else in the control plane.
 */
package io.marchproxy.control.licence;
