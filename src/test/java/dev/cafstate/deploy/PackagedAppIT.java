package dev.cafstate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.Storage;
import dev.cafstate.support.TestServices;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * The container entrypoint in miniature: the packaged app ({@code target/quarkus-app}, prod profile) started with
 * nothing but the environment the chart's Deployment gives it (ConfigMap plus Secret references resolved to the
 * local services' credentials) becomes ready against the local PostgreSQL, RabbitMQ and S3Proxy.
 */
class PackagedAppIT {

    static final TestServices SERVICES = new TestServices();
    static Map<String, String> overrides;

    @BeforeAll
    static void services() {
        overrides = SERVICES.start();
        try (S3Client s3 = Storage.client()) {
            s3.createBucket(b -> b.bucket(TestServices.BUCKET));
        } catch (BucketAlreadyOwnedByYouException e) {
            // S3Proxy's store under target/ survives from the unit tests
        }
    }

    @AfterAll
    static void stop() {
        SERVICES.stop();
    }

    /** The environment the rendered Deployment gives the container, Secrets resolved to local credentials. */
    static Map<String, String> deploymentEnv() throws Exception {
        URI db = URI.create(overrides.get("quarkus.datasource.reactive.url").replace("postgresql://", "http://"));
        URI s3 = URI.create(overrides.get("quarkus.s3.endpoint-override"));
        Path values = Files.createTempFile("it-values", ".yaml");
        Files.writeString(
                values,
                String.join(
                        "\n",
                        "database: {host: 127.0.0.1, port: " + db.getPort() + ", name: " + TestServices.DATABASE
                                + ", existingSecret: db}",
                        "rabbitmq: {host: 127.0.0.1, port: " + overrides.get("rabbitmq-port") + ", existingSecret: mq}",
                        "s3: {endpoint: \"" + s3 + "\", bucket: " + TestServices.BUCKET
                                + ", pathStyle: true, existingSecret: s3}",
                        "auth: {issuer: https://caf-state.test/issuer, jwksUrl: \""
                                + Path.of("src/test/resources/test-keys/publicKey.pem")
                                        .toAbsolutePath() + "\"}",
                        ""));
        List<HasMetadata> objects = Manifests.parse(Manifests.render(values));
        Map<String, Map<String, String>> secrets = Map.of(
                "db", Map.of("username", "postgres", "password", "postgres"),
                "mq", Map.of("username", "guest", "password", "guest"),
                "s3",
                        Map.of(
                                "access-key-id",
                                TestServices.S3_IDENTITY,
                                "secret-access-key",
                                TestServices.S3_CREDENTIAL));

        Map<String, String> env =
                new HashMap<>(Manifests.one(objects, ConfigMap.class).getData());
        for (EnvVar var : Manifests.one(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()) {
            var ref = var.getValueFrom().getSecretKeyRef();
            env.put(var.getName(), secrets.get(ref.getName()).get(ref.getKey()));
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        env.put("PORT", String.valueOf(port)); // the pod listens on 8080; here a free port avoids clashes
        return env;
    }

    static Process start(Map<String, String> env, String log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                "target/quarkus-app/quarkus-run.jar");
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(Path.of("target", log).toFile());
        return builder.start();
    }

    @Test
    void packagedAppBecomesReadyWithOnlyTheDeploymentsEnvironment() throws Exception {
        Map<String, String> env = deploymentEnv();
        int port = Integer.parseInt(env.get("PORT"));
        Process app = start(env, "packaged-app-it.log");
        try {
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            int status = 0;
            for (int i = 0; i < 120 && status != 200 && app.isAlive(); i++) {
                Thread.sleep(1000);
                try {
                    status = http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                } catch (IOException notYet) {
                    status = 0;
                }
            }
            assertThat(status).as("readiness; see target/packaged-app-it.log").isEqualTo(200);
            // prod profile: authentication is on
            var api = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/executions"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).isEqualTo(401);
            assertThat(api.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        } finally {
            app.destroy();
            app.waitFor();
        }
    }

    @Test
    void aClusterWithLocationsButNoClusterIdDoesNotStart() throws Exception {
        Map<String, String> env = deploymentEnv();
        env.remove("CAF_CLUSTER_ID");
        env.put("CAF_LOCATIONS_SHARED_BUCKET", "caf-shared");
        Process app = start(env, "packaged-app-no-cluster-id.log");
        try {
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the start stops").isTrue();
            assertThat(app.exitValue()).isNotZero();
            assertThat(Files.readString(Path.of("target", "packaged-app-no-cluster-id.log")))
                    .contains("caf.cluster-id (CAF_CLUSTER_ID) must name this cluster");
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void withAuthenticationOffTheLocalProfileListensOnLoopbackOnly() throws Exception {
        Map<String, String> env = deploymentEnv();
        env.put("QUARKUS_PROFILE", "local");
        env.put("CAF_S3_CREATE_BUCKET", "false");
        int port = Integer.parseInt(env.get("PORT"));
        Process app = start(env, "packaged-app-local.log");
        try {
            Path log = Path.of("target", "packaged-app-local.log");
            for (int i = 0; i < 60 && app.isAlive() && !Files.readString(log).contains("Listening on"); i++) {
                Thread.sleep(500);
            }
            assertThat(Files.readString(log))
                    .contains("authentication is OFF")
                    .contains("Listening on: http://127.0.0.1:" + port);
            try (Socket s = new Socket("127.0.0.1", port)) {
                assertThat(s.isConnected()).isTrue();
            }
            // every other address of this host is refused
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
                        continue;
                    }
                    assertThatThrownBy(() -> new Socket(address, port).close())
                            .as(address.toString())
                            .isInstanceOf(ConnectException.class);
                }
            }
        } finally {
            app.destroy();
            app.waitFor();
        }
    }
}
