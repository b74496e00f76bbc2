package dev.cafstate.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.smallrye.config.WithDefault;

/**
 * Configuration has one source of truth: every {@code caf.*} setting has its one default in {@link CafConfig} and its
 * one environment name {@code CAF_*}, which the README's configuration table lists with that default; every
 * environment variable {@code application.properties} reads is in the table with the default it gives; the file sets
 * {@code caf.*} keys only per profile; and the deployment manifests set only documented variables.
 */
public class ConfigurationDocTest {

    static final Pattern ROW = Pattern.compile("^\\| (.+?) \\| (.+?) \\| (.+) \\|$");
    static final Pattern CODE = Pattern.compile("`([^`]*)`");

    /** README table: environment name to its default cell (the text of the cell for that name). */
    static Map<String, String> readme() throws IOException {
        String text = Files.readString(Path.of("README.md"));
        String table = text.substring(text.indexOf("## Configuration"), text.indexOf("## Deploying"));
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : table.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (!m.matches() || line.startsWith("| environment") || line.startsWith("|---")) {
                continue;
            }
            List<String> names = codes(m.group(1).replaceAll("\\(`caf\\.[^)]*`\\)", ""));
            String[] defaults = m.group(2).split(" / ");
            for (int i = 0; i < names.size(); i++) {
                rows.put(names.get(i), names.size() == defaults.length ? defaults[i].trim() : m.group(2));
            }
        }
        return rows;
    }

    static List<String> codes(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /**
     * Every leaf of CafConfig: its property name and its default (null when it has none). A named group's settings
     * carry {@code <name>}, e.g. {@code caf.locations.<name>.bucket}. ChartSettingsTest uses it too.
     */
    public static Map<String, Optional<String>> settings(Class<?> type, String prefix) {
        Map<String, Optional<String>> out = new LinkedHashMap<>();
        for (Method m : type.getDeclaredMethods()) {
            String name = prefix + "."
                    + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            if (m.getReturnType().isInterface() && m.getReturnType().getEnclosingClass() == CafConfig.class) {
                out.putAll(settings(m.getReturnType(), name));
            } else if (m.getReturnType() == Map.class) {
                // a named group, e.g. caf.locations.<name>.bucket
                Class<?> value = (Class<?>) ((ParameterizedType) m.getGenericReturnType()).getActualTypeArguments()[1];
                out.putAll(settings(value, name + ".<name>"));
            } else {
                WithDefault d = m.getAnnotation(WithDefault.class);
                out.put(name, Optional.ofNullable(d == null ? null : d.value()));
            }
        }
        return out;
    }

    /** The one environment name of a {@code caf.*} setting: {@code CAF_LOCATIONS_<NAME>_BUCKET} for the above. */
    public static String envName(String property) {
        return property.toUpperCase().replace('.', '_').replace('-', '_');
    }

    @Test
    void everyCafSettingIsInTheReadmeWithItsOneDefault() throws IOException {
        Map<String, String> readme = readme();
        Map<String, Optional<String>> settings = settings(CafConfig.class, "caf");
        assertThat(settings).hasSizeGreaterThan(40);
        List<String> wrong = new ArrayList<>();
        settings.forEach((property, value) -> {
            String env = envName(property);
            String cell = readme.get(env);
            if (cell == null) {
                wrong.add(env + " (" + property + ") is not in the README table");
            } else if (value.isPresent() && !codes(cell).contains(value.get())) {
                wrong.add(env + ": the README says " + cell + ", CafConfig `" + value.get() + "`");
            }
        });
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyVariableTheDefaultsReadIsInTheReadmeWithItsDefault() throws IOException {
        Map<String, String> readme = readme();
        List<String> wrong = new ArrayList<>();
        Pattern expression = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):([^}]*)}");
        for (String line : Files.readAllLines(Path.of("src/main/resources/application.properties"))) {
            if (line.startsWith("#") || line.startsWith("%") || !line.contains("=")) {
                continue;
            }
            Matcher m = expression.matcher(line);
            while (m.find()) {
                String cell = readme.get(m.group(1));
                if (cell == null) {
                    wrong.add(m.group(1) + " is not in the README table");
                } else if (!m.group(2).isEmpty() && !codes(cell).contains(m.group(2))) {
                    wrong.add(
                            m.group(1) + ": the README says " + cell + ", application.properties `" + m.group(2) + "`");
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void theServicesOwnSettingsAreSetOnlyPerProfileAndOnlyByTheirOwnName() throws IOException {
        for (String line : Files.readAllLines(Path.of("src/main/resources/application.properties"))) {
            assertThat(line).as("caf.* defaults live in CafConfig only").doesNotStartWith("caf.");
            if (line.matches("^%\\w+\\.caf\\..*")) {
                assertThat(line)
                        .as("a caf.* key has one environment name, CAF_*")
                        .doesNotContain("${");
            }
        }
    }

    @Test
    void theManifestsSetOnlyDocumentedVariables() throws IOException {
        Map<String, String> readme = readme();
        TreeSet<String> unknown = new TreeSet<>();
        Pattern key = Pattern.compile("^  ([A-Z][A-Z0-9_]+):", Pattern.MULTILINE);
        for (String file : List.of("helm/caf-state/templates/configmap.yaml", "k8s/base/configmap.yaml")) {
            Matcher m = key.matcher(Files.readString(Path.of(file)));
            while (m.find()) {
                if (!readme.containsKey(m.group(1))) {
                    unknown.add(file + ": " + m.group(1));
                }
            }
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void theCodeRepeatsNoDefault() throws IOException {
        // a default in an annotation would be a second one beside CafConfig's or application.properties'
        Pattern repeated = Pattern.compile("defaultValue\\s*=|\\$\\{[a-z][\\w.-]*:");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (repeated.matcher(lines.get(i)).find()) {
                        found.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(found).isEmpty();
    }
}
