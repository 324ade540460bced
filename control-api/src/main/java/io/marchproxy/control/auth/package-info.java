/**
 * Authentication primitives, all on the JDK: PBKDF2 password hashes, the budget and lock-out that bound what password
 * guessing costs ({@link io.marchproxy.control.auth.LoginBudget}, {@link io.marchproxy.control.auth.LoginThrottle}),
 * HMAC-SHA256 JWT access tokens, and cluster API keys stored as hashes and compared in constant time. Depends on the
 * model only; the REST layer enforces roles.
 */
package io.marchproxy.control.auth;
