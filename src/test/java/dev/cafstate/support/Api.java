package dev.cafstate.support;

import static io.restassured.RestAssured.given;

import java.util.Set;
import java.util.UUID;

import org.jose4j.jws.JsonWebSignature;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

/** Requests as an agent of a tenant, with a token signed by the test key (issuer and audience as configured). */
public final class Api {

    private Api() {}

    public static String token(String tenant) {
        return token(tenant, "agent");
    }

    /** A token of {@code tenant} with these roles in its {@code groups} claim (none: a claim-less IdP token). */
    public static String token(String tenant, String... roles) {
        return Jwt.issuer("https://caf-state.test/issuer")
                .audience("caf-state")
                .subject("user-" + tenant)
                .claim("tenant", tenant)
                .groups(Set.of(roles))
                .sign();
    }

    /** A request of {@code tenant} as an operator (maintenance, scrubs, transfers). */
    public static RequestSpecification operator(String tenant) {
        return given().auth()
                .oauth2(token(tenant, "operator"))
                .contentType(ContentType.JSON)
                .accept(ContentType.JSON);
    }

    /** A request of {@code tenant} with exactly these roles. */
    public static RequestSpecification withRoles(String tenant, String... roles) {
        return given().auth()
                .oauth2(token(tenant, roles))
                .contentType(ContentType.JSON)
                .accept(ContentType.JSON);
    }

    /** A token whose claims are exactly this JSON text, signed with the test key (RS256). */
    public static String signed(String claimsJson) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claimsJson);
            jws.setAlgorithmHeaderValue("RS256");
            jws.setHeader("typ", "JWT");
            jws.setKey(KeyUtils.readPrivateKey("test-keys/privateKey.pem"));
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request of {@code tenant} with a JSON body type. */
    public static RequestSpecification as(String tenant) {
        return given().auth()
                .oauth2(token(tenant))
                .contentType(ContentType.JSON)
                .accept(ContentType.JSON);
    }

    /** A fresh tenant, so tests never see each other's data. */
    public static String newTenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates an execution and returns its id. */
    public static String newExecution(String tenant) {
        return as(tenant)
                .body("{\"agent_id\":\"agent-1\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }
}
