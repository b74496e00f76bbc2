package dev.cafstate.common.security;

import jakarta.enterprise.event.Observes;

import dev.cafstate.common.config.CafConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;

/** Refuses to start the prod profile with authentication switched off. */
public class AuthStartupGuard {

    void check(@Observes StartupEvent event, CafConfig config) {
        if (config.auth().enabled()) {
            return;
        }
        if (ConfigUtils.getProfiles().contains("prod")) {
            throw new IllegalStateException(
                    "caf.auth.enabled=false is not allowed in the prod profile; configure JWT verification instead");
        }
        Log.warnf(
                "authentication is OFF: every call acts as tenant '%s' (profile %s)",
                config.auth().fixedTenant(), ConfigUtils.getProfiles());
    }
}
