package dev.cafstate.common.security;

import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.time.Clock;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies each distinct bearer token once per {@code caf.auth.token-cache-ttl} instead of on every request.
 * Agents send the same token on every call, and the RS256 check plus the claim parsing took about a fifth of the
 * service's CPU per append (JFR, see BENCHMARKS.md). Only the token the verifier accepted is remembered, by its
 * exact bytes, never past its {@code exp}; anything else goes to the verifier as before.
 */
@Decorator
@Priority(10)
public abstract class CachingJwtParser implements JWTParser {

    private final JWTParser delegate;
    private final VerifiedTokens<JsonWebToken> verified;
    private final Clock clock;

    @Inject
    CachingJwtParser(@Delegate @Any JWTParser delegate, CafConfig config, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
        this.verified = new VerifiedTokens<>(
                config.auth().tokenCacheSize(), config.auth().tokenCacheTtl().toMillis());
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        if (!verified.enabled()) {
            return delegate.parse(token);
        }
        long now = clock.now();
        JsonWebToken hit = verified.get(token, now);
        if (hit != null) {
            return hit;
        }
        JsonWebToken jwt = delegate.parse(token);
        verified.put(token, jwt, now, jwt.getExpirationTime() * 1000);
        return jwt;
    }
}
