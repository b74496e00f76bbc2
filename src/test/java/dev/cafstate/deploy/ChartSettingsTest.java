package dev.cafstate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.marcnuri.helm.Helm;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.config.ConfigurationDocTest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * Every setting the service reads can be set from the Helm chart: each {@code caf.*} setting of {@link CafConfig}
 * (by its environment name, as {@link ConfigurationDocTest} maps it) and each environment variable
 * {@code application.properties} reads is rendered by the chart once every knob is set, either as a ConfigMap key or
 * as a variable of the pod (credentials, from Secrets), unless {@link #LEFT_OUT} says why the chart leaves it out.
 * No Quarkus application is needed: the chart is rendered by Helm's own library.
 */
class ChartSettingsTest {

    /**
     * The optional knobs {@code full-values.yaml} leaves empty (each renders its line only when set), set here on top
     * of it: the primary store's encryption, and one location with every field (the list replaces the file's).
     */
    static final String EVERY_OPTIONAL_KNOB = """
            s3:
              serverSideEncryption: aws:kms
              kmsKeyId: arn:aws:kms:eu-west-1:000000000000:key/primary
            locations:
              - name: every
                bucket: caf-every
                prefix: agents
                endpoint: https://s3.every.example.internal
                region: eu-central-1
                pathStyle: false
                access: read-write
                syncInterval: 1m
                notifications: true
                tenants: ["team-a=team-a-dr"]
                autoExportTenants: ["team-a"]
                serverSideEncryption: aws:kms
                kmsKeyId: arn:aws:kms:eu-central-1:000000000000:key/every
                existingSecret: every-location-credentials
                egressPort: 443
            """;

    /** Every knob of the chart set, as DeploymentManifestsTest renders it. */
    static final Path FULL_VALUES = Path.of("src", "test", "resources", "helm", "full-values.yaml");

    /** The location of {@link #EVERY_OPTIONAL_KNOB}: the {@code <NAME>} of the per-location settings. */
    static final String LOCATION = "EVERY";

    /**
     * Settings the chart leaves out on purpose, each with the reason. Anything else the service reads must be settable
     * from the chart.
     */
    static final Map<String, String> LEFT_OUT = Map.of(
            // the chart runs the prod profile, and AuthStartupGuard refuses to start it with auth off
            "CAF_AUTH_ENABLED", "auth cannot be turned off in the prod profile the chart runs",
            // the tenant of every call while auth is off, which it never is under the chart
            "CAF_AUTH_FIXED_TENANT", "only read while auth is off",
            // the container port, the probes' named port, the Service's target and the NetworkPolicy are all 8080
            // (DeploymentManifestsTest.portsMatchTheApp checks the chart does not set PORT)
            "PORT", "the chart's objects are built around port 8080");

    @Test
    void everyCafSettingIsRenderedByTheChartOrDeliberatelyLeftOut() throws Exception {
        Set<String> rendered = renderedNames();
        List<String> missing = new ArrayList<>();
        for (String property :
                ConfigurationDocTest.settings(CafConfig.class, "caf").keySet()) {
            String env = ConfigurationDocTest.envName(property); // CAF_LOCATIONS_<NAME>_BUCKET for a location's
            if (!LEFT_OUT.containsKey(env) && !rendered.contains(env.replace("<NAME>", LOCATION))) {
                missing.add(env + " (" + property + ")");
            }
        }
        assertThat(missing)
                .as("caf.* settings neither rendered by the chart (with every knob set) nor in LEFT_OUT")
                .isEmpty();
    }

    @Test
    void everyVariableTheDefaultsReadIsRenderedByTheChartOrDeliberatelyLeftOut() throws Exception {
        Set<String> rendered = renderedNames();
        List<String> missing = new ArrayList<>();
        for (String name : variablesTheDefaultsRead()) {
            if (!LEFT_OUT.containsKey(name) && !rendered.contains(name)) {
                missing.add(name);
            }
        }
        assertThat(missing)
                .as("variables application.properties reads, neither rendered by the chart nor in LEFT_OUT")
                .isEmpty();
    }

    @Test
    void whatIsLeftOutIsASettingTheChartDoesNotRender() throws Exception {
        Set<String> rendered = renderedNames();
        Set<String> known = variablesTheDefaultsRead();
        for (String property :
                ConfigurationDocTest.settings(CafConfig.class, "caf").keySet()) {
            known.add(ConfigurationDocTest.envName(property));
        }
        assertThat(known).as("LEFT_OUT names settings the service reads").containsAll(LEFT_OUT.keySet());
        assertThat(rendered)
                .as("LEFT_OUT names nothing the chart renders (drop such an entry)")
                .doesNotContainAnyElementsOf(LEFT_OUT.keySet());
    }

    /** Names of every variable the pod gets from the chart with every knob set: ConfigMap keys and env entries. */
    static Set<String> renderedNames() throws Exception {
        Path more = Files.createTempFile("every-optional-knob", ".yaml");
        try {
            Files.writeString(more, EVERY_OPTIONAL_KNOB);
            List<HasMetadata> objects = Manifests.parse(new Helm(Manifests.CHART)
                    .template()
                    .withName("caf-state")
                    .withNamespace("caf-system")
                    .withValuesFile(FULL_VALUES)
                    .withValuesFile(more)
                    .call());
            Set<String> names = new TreeSet<>(
                    Manifests.one(objects, ConfigMap.class).getData().keySet());
            Container c = Manifests.one(objects, Deployment.class)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0);
            c.getEnv().stream().map(EnvVar::getName).forEach(names::add);
            return names;
        } finally {
            Files.delete(more);
        }
    }

    /** The environment variables application.properties reads outside profiles (as ConfigurationDocTest reads it). */
    static Set<String> variablesTheDefaultsRead() throws Exception {
        Set<String> names = new TreeSet<>();
        Pattern expression = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");
        for (String line : Files.readAllLines(Path.of("src/main/resources/application.properties"))) {
            if (line.startsWith("#") || line.startsWith("%")) {
                continue;
            }
            Matcher m = expression.matcher(line);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
