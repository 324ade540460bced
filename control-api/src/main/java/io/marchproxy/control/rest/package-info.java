/**
 * The REST API under {@code /api/v1}: one Helidon SE {@link io.helidon.webserver.http.HttpService} per resource,
 * declared as {@link io.marchproxy.control.rest.Endpoint} lists that drive routing, access control and the OpenAPI
 * document alike; RFC 9457 problem responses; JWT and cluster-key authentication. The top layer: depends on every
 * other package of the control plane, none depends on it.
 */
package io.marchproxy.control.rest;
