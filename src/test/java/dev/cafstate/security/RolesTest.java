package dev.cafstate.security;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newTenant;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.config.inject.ConfigProperty;
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

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    static final String TENANT = newTenant();

    /**
     * An endpoint (its route template and a concrete path), a body for it, the access it needs (r(ead), w(rite) or
     * o(perate)), and the status an allowed role gets: the call went through to the resource, not merely past the
     * role check.
     */
    record Endpoint(String method, String template, String path, String body, char needs, int status) {

        @Override
        public String toString() {
            return method + " " + path;
        }

        boolean stream() {
            return template.endsWith("/events");
        }
    }

    static Endpoint ep(String method, String template, String path, String body, char needs, int status) {
        return new Endpoint(method, template, path, body, needs, status);
    }

    static Stream<Endpoint> endpoints() {
        String x = "/api/v1/executions/{id}";
        String e = "/api/v1/executions/role-exec";
        String k = "/api/v1/checkpoints/{id}";
        String c = "/api/v1/checkpoints/role-cp";
        String none = "/" + UUID.randomUUID();
        return Stream.of(
                ep("POST", "/api/v1/executions", "/api/v1/executions", "{\"agent_id\":\"a\"}", 'w', 201),
                ep("GET", "/api/v1/executions", "/api/v1/executions", null, 'r', 200),
                ep("GET", x, e, null, 'r', 200),
                ep("PATCH", x, e, "{\"metadata\":{\"x\":1}}", 'w', 200),
                ep("DELETE", x, "/api/v1/executions/role-gone", null, 'w', 404),
                ep("GET", x + "/state", e + "/state", null, 'r', 200),
                ep(
                        "POST",
                        x + "/thoughts",
                        e + "/thoughts",
                        "{\"type\":\"planning\",\"content\":\"c\",\"confidence\":0.5}",
                        'w',
                        201),
                ep("GET", x + "/thoughts", e + "/thoughts", null, 'r', 200),
                ep("PATCH", x + "/thoughts/{stepId}", e + "/thoughts/s1", "{\"content\":\"d\"}", 'w', 200),
                ep("GET", x + "/context", e + "/context", null, 'r', 200),
                ep(
                        "POST",
                        x + "/context/messages",
                        e + "/context/messages",
                        "{\"role\":\"user\",\"content\":\"m\"}",
                        'w',
                        201),
                ep("PATCH", x + "/context/variables", e + "/context/variables", "{\"v\":1}", 'w', 204),
                ep(
                        "PUT",
                        x + "/context/memory/{key}",
                        e + "/context/memory/k",
                        "{\"value\":1,\"importance\":0.5}",
                        'w',
                        200),
                ep("DELETE", x + "/context/memory/{key}", e + "/context/memory/nothing", null, 'w', 404),
                ep("GET", x + "/tool-state", e + "/tool-state", null, 'r', 200),
                ep("POST", x + "/tool-calls", e + "/tool-calls", "{\"tool_id\":\"t\",\"arguments\":{}}", 'w', 201),
                ep(
                        "PATCH",
                        x + "/tool-calls/{callId}",
                        e + "/tool-calls/nothing",
                        "{\"status\":\"completed\"}",
                        'w',
                        404),
                ep("PATCH", x + "/progress", e + "/progress", "{\"tokens_used\":1}", 'w', 200),
                ep("POST", x + "/checkpoints", e + "/checkpoints", "{}", 'w', 201),
                ep("GET", x + "/events", e + "/events", null, 'r', 200),
                ep(
                        "POST",
                        x + "/handoff",
                        "/api/v1/executions/role-handoff/handoff",
                        "{\"location\":\"shared\",\"target_cluster\":\"other\"}",
                        'o',
                        202),
                ep("GET", x + "/handoff", e + "/handoff", null, 'o', 404),
                ep("POST", x + "/handoff/abort", e + "/handoff/abort", null, 'o', 409),
                ep(
                        "POST",
                        "/api/v1/checkpoints",
                        "/api/v1/checkpoints",
                        CafDocs.checkpoint("role-push", "role-exec-2").toString(),
                        'w',
                        201),
                ep("GET", "/api/v1/checkpoints", "/api/v1/checkpoints", null, 'r', 200),
                ep("GET", k, c, null, 'r', 200),
                ep("GET", k + "/document", c + "/document", null, 'r', 200),
                ep("GET", k + "/thoughts", c + "/thoughts", null, 'r', 200),
                ep("GET", k + "/tool-calls", c + "/tool-calls", null, 'r', 200),
                ep("GET", k + "/diff", c + "/diff?against=role-cp", null, 'r', 200),
                ep("POST", k + "/restore", c + "/restore", "{\"mode\":\"fork\"}", 'w', 200),
                ep("DELETE", k, "/api/v1/checkpoints/role-nothing", null, 'w', 404),
                ep("POST", "/api/v1/maintenance/retention", "/api/v1/maintenance/retention", null, 'o', 200),
                ep("POST", "/api/v1/maintenance/reconcile", "/api/v1/maintenance/reconcile", null, 'o', 200),
                ep("POST", "/api/v1/maintenance/scrub", "/api/v1/maintenance/scrub", null, 'o', 202),
                ep("GET", "/api/v1/maintenance/scrub", "/api/v1/maintenance/scrub", null, 'o', 200),
                ep("GET", "/api/v1/maintenance/scrub/problems", "/api/v1/maintenance/scrub/problems", null, 'o', 200),
                ep("GET", "/api/v1/locations", "/api/v1/locations", null, 'o', 200),
                ep(
                        "POST",
                        "/api/v1/exports",
                        "/api/v1/exports",
                        "{\"location\":\"shared\",\"checkpoint_ids\":[\"role-cp\"]}",
                        'o',
                        202),
                ep("GET", "/api/v1/exports/{job}", "/api/v1/exports" + none, null, 'o', 404),
                ep("GET", "/api/v1/exports/{job}/events", "/api/v1/exports" + none + "/events", null, 'o', 404),
                ep(
                        "POST",
                        "/api/v1/imports",
                        "/api/v1/imports",
                        "{\"location\":\"shared\",\"prefix\":\"clusters/nothing/\"}",
                        'o',
                        202),
                ep("GET", "/api/v1/imports/{job}", "/api/v1/imports" + none, null, 'o', 404),
                ep("GET", "/api/v1/imports/{job}/events", "/api/v1/imports" + none + "/events", null, 'o', 404));
    }

    /** Every route of every resource class, as "METHOD template". */
    static Set<String> routes() throws Exception {
        Set<String> routes = new TreeSet<>();
        // java.nio.file.Path by inference: Path is the JAX-RS annotation here
        var classes = Paths.get("target/classes");
        try (var files = Files.walk(classes)) {
            for (var f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, RolesTest.class.getClassLoader());
                Path base = type.getAnnotation(Path.class);
                if (base == null) {
                    continue;
                }
                for (Method m : type.getDeclaredMethods()) {
                    for (Annotation a : m.getAnnotations()) {
                        HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
                        if (verb != null) {
                            Path sub = m.getAnnotation(Path.class);
                            routes.add(verb.value() + " " + base.value() + (sub == null ? "" : "/" + sub.value()));
                        }
                    }
                }
            }
        }
        return routes;
    }

    @Test
    void everyRouteOfTheServiceHasItsRoleCase() throws Exception {
        Set<String> covered = new TreeSet<>();
        endpoints().forEach(e -> covered.add(e.method() + " " + e.template()));
        assertThat(covered).isEqualTo(routes());
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
        as(TENANT)
                .body("{\"id\":\"role-handoff\",\"agent_id\":\"a\"}")
                .post("/api/v1/executions")
                .then()
                .statusCode(201);
    }

    /** The status of a call; a stream's once its headers are in (it is not read). */
    int call(Endpoint e, String token) throws Exception {
        if (e.stream()) {
            HttpResponse<InputStream> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + port + e.path()))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Accept", "text/event-stream")
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            r.body().close();
            return r.statusCode();
        }
        var request = given().auth().oauth2(token).contentType(ContentType.JSON).accept(ContentType.JSON);
        if (e.body() != null) {
            request = request.body(e.body());
        }
        Response r = request.request(e.method(), e.path());
        last = r.asString();
        if (r.statusCode() >= 400) {
            assertThat(r.contentType()).as(e + ": " + last).startsWith("application/problem+json");
        }
        return r.statusCode();
    }

    String last = "";

    static boolean allowed(char needs, Set<String> roles) {
        return switch (needs) {
            case 'r' -> !roles.isEmpty();
            case 'w' -> roles.contains("agent");
            default -> roles.contains("operator");
        };
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void everyEndpointAnswersEachRoleAsTheRulesSay(Endpoint e) throws Exception {
        seed();
        for (Set<String> roles : List.of(Set.<String>of(), Set.of("reader"), Set.of("agent"), Set.of("operator"))) {
            int status = call(e, Api.token(TENANT, roles.toArray(String[]::new)));
            assertThat(status)
                    .as(e + " as " + roles + ": " + last)
                    .isEqualTo(allowed(e.needs(), roles) ? e.status() : 403);
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
        as(other)
                .body("{}")
                .post("/api/v1/executions/mine-exec/checkpoints")
                .then()
                .statusCode(404);
        // a diff of one's own checkpoint against another tenant's finds nothing to compare with
        as(other)
                .body(CafDocs.checkpoint("theirs", "their-exec").toString())
                .post("/api/v1/checkpoints")
                .then()
                .statusCode(201);
        as(other)
                .get("/api/v1/checkpoints/theirs/diff?against=mine")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
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
