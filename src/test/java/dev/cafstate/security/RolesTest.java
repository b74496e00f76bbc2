package dev.cafstate.security;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.cafstate.support.Api;
import dev.cafstate.support.CafDocs;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;

/**
 * Roles: every endpoint with every role, allowed or refused with a 403 problem; roles from the
 * token's claim or, for Kubernetes service-account tokens, from the configured mapping; and no route of checkpoints
 * reaches another tenant's.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolesTest {

    static final String TENANT = newTenant();

    /** An endpoint, a body for it, and the access it needs: r(ead), w(rite) or o(perate). */
    record Endpoint(String method, String path, String body, char needs) {

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static Stream<Endpoint> endpoints() {
        String e = "/api/v1/executions/role-exec";
        String c = "/api/v1/checkpoints/role-cp";
        return Stream.of(
                new Endpoint("POST", "/api/v1/executions", "{\"agent_id\":\"a\"}", 'w'),
                new Endpoint("GET", "/api/v1/executions", null, 'r'),
                new Endpoint("GET", e, null, 'r'),
                new Endpoint("PATCH", e, "{\"metadata\":{\"x\":1}}", 'w'),
                new Endpoint("DELETE", "/api/v1/executions/role-gone", null, 'w'),
                new Endpoint("GET", e + "/state", null, 'r'),
                new Endpoint(
                        "POST", e + "/thoughts", "{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}", 'w'),
                new Endpoint("GET", e + "/thoughts", null, 'r'),
                new Endpoint("PATCH", e + "/thoughts/s1", "{\"content\":\"d\"}", 'w'),
                new Endpoint("GET", e + "/context", null, 'r'),
                new Endpoint("POST", e + "/context/messages", "{\"role\":\"user\",\"content\":\"m\"}", 'w'),
                new Endpoint("PATCH", e + "/context/variables", "{\"v\":1}", 'w'),
                new Endpoint("PUT", e + "/context/memory/k", "{\"value\":1,\"importance\":0.5}", 'w'),
                new Endpoint("DELETE", e + "/context/memory/nothing", null, 'w'),
                new Endpoint("GET", e + "/tool-state", null, 'r'),
                new Endpoint("POST", e + "/tool-calls", "{\"tool_id\":\"t\",\"arguments\":{}}", 'w'),
                new Endpoint("PATCH", e + "/tool-calls/nothing", "{\"status\":\"completed\"}", 'w'),
                new Endpoint("PATCH", e + "/progress", "{\"tokens_used\":1}", 'w'),
                new Endpoint("POST", e + "/checkpoints", "{}", 'w'),
                new Endpoint(
                        "POST",
                        "/api/v1/checkpoints",
                        CafDocs.checkpoint("role-push", "role-exec-2").toString(),
                        'w'),
                new Endpoint("GET", "/api/v1/checkpoints", null, 'r'),
                new Endpoint("GET", c, null, 'r'),
                new Endpoint("GET", c + "/document", null, 'r'),
                new Endpoint("GET", c + "/thoughts", null, 'r'),
                new Endpoint("GET", c + "/tool-calls", null, 'r'),
                new Endpoint("GET", c + "/diff?against=role-cp", null, 'r'),
                new Endpoint("POST", c + "/restore", "{\"mode\":\"fork\"}", 'w'),
                new Endpoint("DELETE", "/api/v1/checkpoints/role-nothing", null, 'w'),
                new Endpoint("POST", "/api/v1/maintenance/retention", null, 'o'),
                new Endpoint("POST", "/api/v1/maintenance/reconcile", null, 'o'));
    }

    synchronized void seed() {
        if (as(TENANT).get("/api/v1/executions/role-exec").statusCode() == 200) {
            return;
        }
        as(TENANT)
                .body("{\"id\":\"role-exec\",\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201);
        as(TENANT)
                .body("{\"id\":\"s1\",\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}")
                .post("/api/v1/executions/role-exec/thoughts")
                .then()
                .statusCode(201);
        as(TENANT)
                .body(CafDocs.checkpoint("role-cp", "role-exec").toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201);
    }

    static Response call(Endpoint e, String token) {
        var request = given().auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
        if (e.body() != null) {
            request = request.body(e.body());
        }
        return request.request(e.method(), e.path());
    }

    static boolean allowed(char needs, Set<String> roles) {
        return switch (needs) {
            case 'r' -> !roles.isEmpty();
            case 'w' -> roles.contains("agent");
            default -> roles.contains("operator");
        };
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void everyEndpointAnswersEachRoleAsTheRulesSay(Endpoint e) {
        seed();
        for (Set<String> roles : List.of(Set.<String>of(), Set.of("reader"), Set.of("agent"), Set.of("operator"))) {
            Response r = call(e, Api.token(TENANT, roles.toArray(String[]::new)));
            if (allowed(e.needs(), roles)) {
                assertThat(r.statusCode())
                        .as(e + " as " + roles + ": " + r.asString())
                        .isNotIn(401, 403);
            } else {
                assertThat(r.statusCode())
                        .as(e + " as " + roles + ": " + r.asString())
                        .isEqualTo(403);
                assertThat(r.contentType()).startsWith("application/problem+json");
            }
        }
    }

    @Test
    void serviceAccountTokensGetTheirRolesFromTheMapping() {
        // the test profile maps ops/admin to operator and ops/viewer to reader; other service accounts are agents
        String admin = Jwt.issuer("https://caf-state.test/issuer")
                .audience("caf-state")
                .subject("system:serviceaccount:ops:admin")
                .claim("tenant", TENANT)
                .sign();
        String viewer = Jwt.issuer("https://caf-state.test/issuer")
                .audience("caf-state")
                .subject("system:serviceaccount:ops:viewer")
                .claim("tenant", TENANT)
                .sign();
        String agent = Jwt.issuer("https://caf-state.test/issuer")
                .audience("caf-state")
                .subject("system:serviceaccount:agents:worker")
                .claim("tenant", TENANT)
                .sign();
        given().auth()
                .oauth2(admin)
                .post("/api/v1/maintenance/retention")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(admin)
                .contentType(ContentType.JSON)
                .body("{\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(403);
        given().auth().oauth2(viewer).get("/api/v1/executions").then().statusCode(200);
        given().auth()
                .oauth2(viewer)
                .post("/api/v1/maintenance/retention")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(agent)
                .contentType(ContentType.JSON)
                .body("{\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201);
        given().auth()
                .oauth2(agent)
                .post("/api/v1/maintenance/retention")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    @Test
    void noCheckpointRouteReachesAnotherTenant() {
        String owner = newTenant();
        String other = newTenant();
        as(owner)
                .body(CafDocs.checkpoint("mine", "mine-exec")
                        .step("s", "planning", "secret", 0.5)
                        .tool("t", "read_file", true)
                        .toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201);
        as(owner)
                .body(CafDocs.checkpoint("mine-2", "mine-exec").toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201);
        for (String path : List.of(
                "/api/v1/checkpoints/mine",
                "/api/v1/checkpoints/mine/document",
                "/api/v1/checkpoints/mine/thoughts",
                "/api/v1/checkpoints/mine/tool-calls",
                "/api/v1/checkpoints/mine/diff?against=mine-2",
                "/api/v1/checkpoints/mine-2/diff?against=mine")) {
            as(other).get(path).then().statusCode(404).contentType("application/problem+json");
        }
        as(other).body("{}").post("/api/v1/checkpoints/mine/restore").then().statusCode(404);
        as(other)
                .body("{\"mode\":\"fork\",\"execution_id\":\"stolen\"}")
                .post("/api/v1/checkpoints/mine/restore")
                .then()
                .statusCode(404);
        as(other).delete("/api/v1/checkpoints/mine").then().statusCode(404);
        assertThat(as(other)
                        .queryParam("execution_id", "mine-exec")
                        .get("/api/v1/checkpoints")
                        .jsonPath()
                        .getList("items"))
                .isEmpty();
        assertThat(as(other)
                        .queryParam("tool_id", "read_file")
                        .get("/api/v1/checkpoints")
                        .jsonPath()
                        .getList("items"))
                .isEmpty();
        assertThat(as(other)
                        .queryParam("q", "secret")
                        .get("/api/v1/checkpoints")
                        .jsonPath()
                        .getList("items"))
                .isEmpty();
        // pushing a document with the same ids under the other tenant makes the other tenant's own checkpoint
        as(other)
                .body(CafDocs.checkpoint("mine", "mine-exec").toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201);
        as(owner)
                .get("/api/v1/checkpoints/mine/thoughts")
                .then()
                .statusCode(200)
                .body("items[0].content", Matchers.equalTo("secret"));
        as(other).get("/api/v1/executions/stolen").then().statusCode(404);
    }
}
