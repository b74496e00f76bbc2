package dev.cafstate.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The SQL that runs is the SQL you read: every {@code static final Statement} of the service (many composed of
 * fragments from several repositories) is rendered as sent, with its parameter numbers, to
 * {@code src/test/resources/sql/<Class>.<FIELD>.sql}, and this test fails when a statement changed and its file did
 * not. After an intended change run {@code ./mvnw test -Dtest=StatementsRenderedTest -Dsql.update=true} and review
 * the diff of the files with the change.
 */
class StatementsRenderedTest {

    static final Path CLASSES = Path.of("target/classes");
    static final Path RENDERED = Path.of("src/test/resources/sql");

    @Test
    void everyStatementIsWrittenDownAsSent() throws Exception {
        Map<String, String> expected = render();
        assertThat(expected).as("statements found").hasSizeGreaterThan(10);
        if (Boolean.getBoolean("sql.update")) {
            Files.createDirectories(RENDERED);
            try (Stream<Path> old = Files.list(RENDERED)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
            for (Map.Entry<String, String> e : expected.entrySet()) {
                Files.writeString(RENDERED.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            }
        }
        Map<String, String> actual = new TreeMap<>();
        try (Stream<Path> files = Files.list(RENDERED)) {
            for (Path p : files.toList()) {
                actual.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        assertThat(actual.keySet())
                .as("rendered statements in " + RENDERED + " (update with -Dsql.update=true)")
                .containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertThat(actual.get(e.getKey()))
                    .as(e.getKey() + " differs from the statement the code sends "
                            + "(update with -Dsql.update=true and review the diff)")
                    .isEqualTo(e.getValue());
        }
    }

    @Test
    void everyStatementFitsThePreparedStatementCache() throws Exception {
        // a longer one would be parsed and planned at every execution
        for (Map.Entry<String, String> e : render().entrySet()) {
            assertThat(e.getValue().length()).as(e.getKey()).isLessThan(PoolCreator.STATEMENT_CACHE_SQL_LIMIT);
        }
    }

    /** File name to content, for every statement constant of every class of the service. */
    static Map<String, String> render() throws IOException, ReflectiveOperationException {
        Map<String, String> out = new TreeMap<>();
        for (String name : classNames()) {
            Class<?> type = Class.forName(name, false, StatementsRenderedTest.class.getClassLoader());
            for (Field f : type.getDeclaredFields()) {
                int m = f.getModifiers();
                if (f.getType() != Statement.class || !Modifier.isStatic(m) || !Modifier.isFinal(m)) {
                    continue;
                }
                f.setAccessible(true);
                Statement s = (Statement) f.get(null);
                List<String> numbered = new ArrayList<>();
                for (int i = 0; i < s.parameters().size(); i++) {
                    numbered.add("$" + (i + 1) + " " + s.parameters().get(i));
                }
                String header = "-- " + type.getSimpleName() + "." + f.getName() + " (" + type.getPackageName()
                        + ")\n-- parameters: " + String.join(", ", numbered) + "\n";
                out.put(
                        type.getSimpleName() + "." + f.getName() + ".sql",
                        header + s.sql().strip() + "\n");
            }
        }
        return out;
    }

    static List<String> classNames() throws IOException {
        try (Stream<Path> files = Files.walk(CLASSES)) {
            return files.filter(p -> p.toString().endsWith(".class")
                            && !p.getFileName().toString().contains("$"))
                    .map(p -> CLASSES.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .filter(n -> n.startsWith("dev.cafstate."))
                    .sorted()
                    .toList();
        }
    }
}
