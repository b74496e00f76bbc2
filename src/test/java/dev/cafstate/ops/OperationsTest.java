package dev.cafstate.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import org.junit.jupiter.api.Test;

import dev.cafstate.support.Api;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(TestServices.class)
class OperationsTest {

    @Test
    void readinessChecksPostgresS3AndBroker() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("s3", "broker"))
                .body("checks.find { it.name == 's3' }.data.reachable", equalTo(true))
                .body("checks.find { it.name == 'broker' }.data.delivering", equalTo(true));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/started").then().statusCode(200);
    }

    @Test
    void metricsOpenApiAndSwaggerAreServed() {
        Api.as(Api.newTenant()).get("/api/v1/executions").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("http_server_requests_seconds"));
        given().accept("application/json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body(
                        "paths.'/api/v1/executions/{id}/thoughts'.post.responses.'422'.description",
                        containsString("CAF"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void unknownPathsAndMethodsAreProblems() {
        Api.as(Api.newTenant())
                .get("/api/v1/nothing-here")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        Api.as(Api.newTenant())
                .put("/api/v1/executions")
                .then()
                .statusCode(405)
                .contentType("application/problem+json");
    }
}
