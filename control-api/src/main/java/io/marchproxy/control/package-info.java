/**
 * The MarchProxy control plane: {@link io.marchproxy.control.ControlPlaneMain} starts a node from Helidon Config;
 * {@link io.marchproxy.control.ControlPlane} wires the store, config publisher and web server. Sub-packages, lowest
 * first: model, validation, store, auth, licence, certs, config, observe, rest. This module sits above dataplane-core
 * and ffm-bindings and imports neither.
 */
package io.marchproxy.control;
