package dev.cafstate.common;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** OpenAPI document header: title, version and the bearer JWT scheme every API call uses. */
@OpenAPIDefinition(
        info =
                @Info(
                        title = "CAF State",
                        version = "1.0",
                        description = "Runtime state, checkpoints and transfer for CAF agents."
                                + " Errors are application/problem+json. Any call may get a 503 shutting-down"
                                + " (Retry-After: 1, nothing done) while its replica shuts down: send it again."))
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
public class OpenApiDefinition extends Application {}
