package dev.cafstate.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.support.TestServices;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Helm chart and the kustomize base, rendered by Helm's own library and read strictly into Kubernetes model
 * classes, checked against the running application: probes and the scrape path answer, every environment variable
 * is one the app reads, ports match, and the pod is locked down.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class DeploymentManifestsTest {

    static final Path FULL_VALUES = Path.of("src", "test", "resources", "helm", "full-values.yaml");

    @Test
    void chartLintsCleanlyInStrictMode() {
        LintResult lint = new Helm(Manifests.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultRenderHasEveryObjectAndNoUnknownField() {
        List<HasMetadata> objects = Manifests.parse(Manifests.render(null));
        assertThat(objects)
                .extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder(
                        "ServiceAccount",
                        "ConfigMap",
                        "Service",
                        "Deployment",
                        "HorizontalPodAutoscaler",
                        "NetworkPolicy",
                        "PodDisruptionBudget");
        for (HasMetadata o : objects) {
            assertThat(Manifests.unknownFields(o)).as(o.getKind()).isEmpty();
            assertThat(o.getMetadata().getLabels())
                    .containsEntry("app.kubernetes.io/name", "caf-state")
                    .containsEntry("app.kubernetes.io/instance", "caf-state")
                    .containsKey("app.kubernetes.io/version");
        }
    }

    @Test
    void probesAndScrapePathAreRealEndpointsOfTheApp() throws Exception {
        for (List<HasMetadata> objects : List.of(Manifests.parse(Manifests.render(null)), Manifests.kustomizeBase())) {
            Deployment deployment = Manifests.one(objects, Deployment.class);
            Container c =
                    deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(path(c.getStartupProbe())).isEqualTo("/q/health/started");
            assertThat(path(c.getLivenessProbe())).isEqualTo("/q/health/live");
            assertThat(path(c.getReadinessProbe())).isEqualTo("/q/health/ready");
            for (Probe probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
                assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
                assertThat(probe.getTimeoutSeconds())
                        .as("timeoutSeconds (the kubelet's default is 1 s)")
                        .isNotNull();
                given().get(path(probe)).then().statusCode(200);
            }
            // each readiness check answers within 1.5 s (DatabaseHealthCheck.BOUND): the kubelet must wait longer
            assertThat(c.getReadinessProbe().getTimeoutSeconds() * 1000L).isGreaterThan(1500L);
            Map<String, String> annotations =
                    deployment.getSpec().getTemplate().getMetadata().getAnnotations();
            assertThat(annotations)
                    .containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", "8080");
            given().get(annotations.get("prometheus.io/path")).then().statusCode(200);
        }
    }

    @Test
    void portsMatchTheApp() throws Exception {
        List<HasMetadata> objects = Manifests.parse(Manifests.render(null));
        Container c = Manifests.one(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(c.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        // the app listens on ${PORT:8080} and the chart does not set PORT
        assertThat(Files.readString(Path.of("src/main/resources/application.properties")))
                .contains("quarkus.http.port=${PORT:8080}");
        assertThat(envNames(objects)).doesNotContain("PORT");
        Service service = Manifests.one(objects, Service.class);
        assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal())
                .isEqualTo("http");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(Manifests.one(objects, Deployment.class)
                        .getSpec()
                        .getSelector()
                        .getMatchLabels());
    }

    @Test
    void everyEnvironmentVariableIsOneTheAppReads() throws Exception {
        Set<String> readable = namesTheAppReads();
        for (Path values : new Path[] {null, FULL_VALUES}) {
            List<HasMetadata> objects = Manifests.parse(Manifests.render(values));
            assertThat(envNames(objects))
                    .as("chart with " + values)
                    .isNotEmpty()
                    .isSubsetOf(readable);
            // Helm keeps numbers as floats: a large one quoted as-is would read 1.048576e+06, which the app refuses
            assertThat(Manifests.one(objects, ConfigMap.class).getData().values())
                    .noneMatch(v -> v.matches("-?[0-9.]+[eE][+-]?[0-9]+"));
        }
        assertThat(envNames(Manifests.kustomizeBase())).isSubsetOf(readable);
    }

    @Test
    void podIsLockedDown() throws Exception {
        for (List<HasMetadata> objects : List.of(Manifests.parse(Manifests.render(null)), Manifests.kustomizeBase())) {
            var pod = Manifests.one(objects, Deployment.class)
                    .getSpec()
                    .getTemplate()
                    .getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            Container c = pod.getContainers().get(0);
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(c.getVolumeMounts())
                    .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
            assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
            // graceful shutdown: endpoints drop during preStop, then the app drains within the grace period
            assertThat(c.getLifecycle().getPreStop().getExec().getCommand()).contains("sh");
            assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(30L);
            String drain = Manifests.one(objects, ConfigMap.class).getData().get("SHUTDOWN_TIMEOUT");
            assertThat(Integer.parseInt(drain.replace("s", "")))
                    .isLessThan(pod.getTerminationGracePeriodSeconds().intValue());
        }
    }

    @Test
    void fullValuesRenderEverything() {
        List<HasMetadata> objects = Manifests.parse(Manifests.render(FULL_VALUES));
        for (HasMetadata o : objects) {
            assertThat(Manifests.unknownFields(o)).as(o.getKind()).isEmpty();
        }
        assertThat(objects)
                .filteredOn(o -> o instanceof GenericKubernetesResource)
                .extracting(HasMetadata::getKind)
                .containsExactly("ServiceMonitor");
        assertThat(objects).noneMatch(o -> o instanceof HorizontalPodAutoscaler);
        Deployment deployment = Manifests.one(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("registry.example.internal/caf-state:1.2.3");
        Map<String, String> config = Manifests.one(objects, ConfigMap.class).getData();
        assertThat(config)
                .containsEntry("S3_ENDPOINT", "http://minio.storage.svc:9000")
                .containsEntry("S3_CREDENTIALS_TYPE", "static")
                .containsEntry("CAF_CHECKPOINTS_KEEP_LAST", "50")
                .containsEntry("CAF_CHECKPOINTS_MAX_AGE", "30d")
                .containsEntry("CAF_AUTH_TOKEN_CACHE_TTL", "30s")
                .containsEntry("DB_REACTIVE_URL", "postgresql://pg.db.svc:6432/caf");
        assertThat(envNames(objects)).contains("QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID");
        assertThat(Manifests.one(objects, ServiceAccount.class).getMetadata().getAnnotations())
                .containsKey("eks.amazonaws.com/role-arn");
        NetworkPolicy policy = Manifests.one(objects, NetworkPolicy.class);
        assertThat(policy.getSpec().getEgress())
                .anySatisfy(e -> assertThat(e.getPorts())
                        .anySatisfy(p -> assertThat(p.getPort().getIntVal()).isEqualTo(9000)));
        // transfer: the cluster id, each location's settings, its credentials from its Secret, and its egress only
        assertThat(config)
                .containsEntry("CAF_CLUSTER_ID", "eu-west-1")
                .containsEntry("CAF_LOCATIONS_SHARED_BUCKET", "caf-shared")
                .containsEntry("CAF_LOCATIONS_SHARED_ACCESS", "read-write")
                .containsEntry("CAF_LOCATIONS_SHARED_SYNC_INTERVAL", "1m")
                .containsEntry("CAF_LOCATIONS_SHARED_TENANTS", "team-a=team-a-dr")
                .containsEntry("CAF_LOCATIONS_DR_ENDPOINT", "https://s3.dr.example.internal")
                .containsEntry("CAF_LOCATIONS_DR_ACCESS", "read-only");
        assertThat(envNames(objects)).contains("CAF_LOCATIONS_DR_ACCESS_KEY_ID", "CAF_LOCATIONS_DR_SECRET_ACCESS_KEY");
        assertThat(config.values()).noneMatch(v -> v.contains("secret"));
        assertThat(policy.getSpec().getEgress()).anySatisfy(e -> {
            assertThat(e.getTo())
                    .anySatisfy(t -> assertThat(t.getIpBlock().getCidr()).isEqualTo("10.20.0.0/16"));
            assertThat(e.getPorts())
                    .anySatisfy(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8443));
        });
    }

    @Test
    void valuesBreakingTheSchemaAreRejected() throws Exception {
        Path bad = Files.createTempFile("values", ".yaml");
        Files.writeString(bad, "replicaCount: 0\nautoscaling:\n  enabled: false\n");
        assertThatThrownBy(() -> Manifests.render(bad)).hasMessageContaining("replicaCount");
        Files.writeString(bad, "databse:\n  host: typo\n");
        assertThatThrownBy(() -> Manifests.render(bad)).hasMessageContaining("databse");
    }

    @Test
    void kustomizeBaseIsTheChartsDefaultRender() throws Exception {
        List<HasMetadata> chart = Manifests.parse(Manifests.render(null));
        List<HasMetadata> base = Manifests.kustomizeBase();
        assertThat(base)
                .extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrderElementsOf(
                        chart.stream().map(HasMetadata::getKind).toList());
        for (HasMetadata b : base) {
            assertThat(Manifests.unknownFields(b)).as(b.getKind()).isEmpty();
            HasMetadata c = chart.stream()
                    .filter(o -> o.getKind().equals(b.getKind()))
                    .findFirst()
                    .orElseThrow();
            assertThat(b.getMetadata().getName()).isEqualTo(c.getMetadata().getName());
            assertThat(spec(b)).as(b.getKind() + " spec").isEqualTo(spec(c));
        }
        assertThat(Manifests.one(base, ConfigMap.class).getData())
                .isEqualTo(Manifests.one(chart, ConfigMap.class).getData());
        assertThat(Manifests.one(base, PodDisruptionBudget.class)
                        .getSpec()
                        .getMinAvailable()
                        .getIntVal())
                .isEqualTo(1);
        // the overlay builds on the base and patches objects the base has
        String overlay = Files.readString(Path.of("k8s/overlays/production/kustomization.yaml"));
        assertThat(overlay).contains("../../base");
        for (Path patch : Files.list(Path.of("k8s/overlays/production"))
                .filter(p -> !p.endsWith("kustomization.yaml"))
                .toList()) {
            HasMetadata p = Manifests.parse(Files.readString(patch)).get(0);
            assertThat(base)
                    .as(patch.toString())
                    .anyMatch(o -> o.getKind().equals(p.getKind())
                            && o.getMetadata().getName().equals(p.getMetadata().getName()));
        }
    }

    /** The spec (or data) of an object without chart-specific labels and annotations, as a JSON tree. */
    private static Object spec(HasMetadata o) {
        Map<?, ?> tree = Manifests.SERIALIZATION.convertValue(o, Map.class);
        String text = Manifests.SERIALIZATION.asJson(tree.get(tree.containsKey("spec") ? "spec" : "data"));
        text = text.replaceAll("\"helm\\.sh/chart\":\"[^\"]*\",?", "")
                .replaceAll("\"app\\.kubernetes\\.io/managed-by\":\"[^\"]*\",?", "")
                .replaceAll("\"checksum/config\":\"[^\"]*\",?", "")
                .replace(",}", "}");
        return Manifests.SERIALIZATION.unmarshal(text, Map.class);
    }

    private static String path(Probe probe) {
        return probe.getHttpGet().getPath();
    }

    /** Names of every variable the pod gets: env entries and the keys of the ConfigMap it takes envFrom. */
    static Set<String> envNames(List<HasMetadata> objects) {
        Container c = Manifests.one(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        Set<String> names = c.getEnv().stream().map(EnvVar::getName).collect(Collectors.toCollection(TreeSet::new));
        assertThat(c.getEnvFrom())
                .singleElement()
                .satisfies(e -> assertThat(e.getConfigMapRef().getName())
                        .isEqualTo(Manifests.one(objects, ConfigMap.class)
                                .getMetadata()
                                .getName()));
        names.addAll(Manifests.one(objects, ConfigMap.class).getData().keySet());
        return names;
    }

    /**
     * Environment variables the application reads: those application.properties names, every setting of CafConfig
     * in environment form, and every Quarkus/framework property that is configured.
     */
    static Set<String> namesTheAppReads() throws Exception {
        Set<String> names = new HashSet<>();
        Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]")
                .matcher(Files.readString(Path.of("src/main/resources/application.properties")));
        while (m.find()) {
            names.add(m.group(1));
        }
        configNames(CafConfig.class, "caf", names);
        for (String property : ConfigProvider.getConfig().getPropertyNames()) {
            names.add(env(property));
        }
        return names;
    }

    private static void configNames(Class<?> mapping, String prefix, Set<String> names) {
        for (Method method : mapping.getDeclaredMethods()) {
            String key = prefix + "."
                    + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            if (method.getReturnType().isInterface() && method.getReturnType().getEnclosingClass() == CafConfig.class) {
                configNames(method.getReturnType(), key, names);
            } else if (method.getReturnType() == Map.class) {
                // named groups: the location names full-values.yaml configures
                Class<?> value =
                        (Class<?>) ((ParameterizedType) method.getGenericReturnType()).getActualTypeArguments()[1];
                for (String name : List.of("shared", "dr")) {
                    configNames(value, key + "." + name, names);
                }
            } else {
                names.add(env(key));
            }
        }
    }

    private static String env(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }
}
