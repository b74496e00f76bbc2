package dev.cafstate.common.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens already verified, by their exact compact serialization. An entry is trusted until the earlier of the
 * token's own expiry and {@code ttl} after it was verified; past either it is verified again. The size is bounded:
 * when full, expired entries are dropped first and, if that is not enough, the whole cache. A pure unit (times are
 * passed in), so its rules are tested without a clock.
 *
 * @param <T> what verification produced (the JSON Web Token)
 */
final class VerifiedTokens<T> {

    private record Entry<T>(T token, long trustedUntilMs) {}

    private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();
    private final int maxSize;
    private final long ttlMs;

    VerifiedTokens(int maxSize, long ttlMs) {
        this.maxSize = maxSize;
        this.ttlMs = ttlMs;
    }

    boolean enabled() {
        return maxSize > 0 && ttlMs > 0;
    }

    /** The verified token, if it was verified before and is still trusted at {@code nowMs}. */
    T get(String compact, long nowMs) {
        Entry<T> entry = entries.get(compact);
        if (entry == null) {
            return null;
        }
        if (entry.trustedUntilMs() <= nowMs) {
            entries.remove(compact, entry);
            return null;
        }
        return entry.token();
    }

    /**
     * Remembers a token verified at {@code nowMs} that expires at {@code expiresAtMs} (0 or less: no expiry, trusted
     * for the ttl only).
     */
    void put(String compact, T token, long nowMs, long expiresAtMs) {
        long until = nowMs + ttlMs;
        if (expiresAtMs > 0) {
            until = Math.min(until, expiresAtMs);
        }
        if (until <= nowMs || !enabled()) {
            return;
        }
        if (entries.size() >= maxSize) {
            entries.values().removeIf(e -> e.trustedUntilMs() <= nowMs);
            if (entries.size() >= maxSize) {
                entries.clear();
            }
        }
        entries.put(compact, new Entry<>(token, until));
    }

    int size() {
        return entries.size();
    }
}
