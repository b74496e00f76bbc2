package dev.cafstate.runtime.service;

import jakarta.enterprise.context.ApplicationScoped;

/** Source of the epoch-millisecond timestamps the server assigns. */
@ApplicationScoped
public class Clock {

    public long now() {
        return System.currentTimeMillis();
    }
}
