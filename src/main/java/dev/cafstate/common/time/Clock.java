package dev.cafstate.common.time;

import jakarta.enterprise.context.ApplicationScoped;

/** Source of the epoch-millisecond timestamps the server assigns. */
@ApplicationScoped
public class Clock {

    public long now() {
        return System.currentTimeMillis();
    }
}
