package dev.cafstate.common.security;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.cafstate.common.config.CafConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;

/**
 * Refuses to start the prod profile with authentication switched off; elsewhere (the local profile, which listens on
 * 127.0.0.1 unless {@code HTTP_HOST} says otherwise) it says loudly that it is off, and where it listens.
 */
public class AuthStartupGuard {

    void check(@Observes StartupEvent event, CafConfig config) {
        if (config.auth().enabled()) {
            return;
        }
        if (ConfigUtils.getProfiles().contains("prod")) {
            throw new IllegalStateException(
                    "caf.auth.enabled=false is not allowed in the prod profile; configure JWT verification instead");
        }
        String host = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.host", String.class)
                .orElse("0.0.0.0");
        boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
        Log.warnf(
                "authentication is OFF: every call acts as tenant '%s' (profile %s), listening on %s%s",
                config.auth().fixedTenant(),
                ConfigUtils.getProfiles(),
                host,
                loopback ? "" : " -- reachable from other hosts without authentication (HTTP_HOST)");
    }
}
