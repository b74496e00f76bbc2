package dev.cafstate.transfer.location;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cafstate.checkpoint.storage.ObjectKeys;
import dev.cafstate.transfer.location.TransferKeys.Kind;
import dev.cafstate.transfer.location.TransferKeys.Parsed;

/**
 * The layout of a location, {@code [<prefix>/]clusters/<cluster>/tenants/<tenant>/...}: every key the service writes
 * parses back to its kind, cluster and tenant (ids decoded), with or without a location prefix; anything else is
 * {@link Kind#OTHER}; a segment decodes only when {@link ObjectKeys#segment} writes it exactly so.
 */
class TransferKeysTest {

    static final String SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /** Ids no key may carry literally: unicode, {@code /}, {@code %}, dots, a space, an encoded-looking id. */
    static final List<String> AWKWARD_IDS =
            List.of("eu/west 1", "t\u00ebnant-\ud83d\ude00", "100%", "%2F", "a/../b", ".", "..", "\u65e5\u672c");

    static Location at(String prefix) {
        return new Location(
                "shared",
                "bucket",
                prefix,
                null,
                true,
                Optional.empty(),
                false,
                Map.of(),
                Set.of(),
                Optional.empty(),
                Optional.empty(),
                null);
    }

    /** Every kind of key the service writes, for one cluster, tenant and execution. */
    static Map<Kind, String> keysOfEachKind(Location l, String cluster, String tenant, String execution) {
        return Map.of(
                Kind.CHECKPOINT, TransferKeys.checkpoint(l, cluster, tenant, execution, "cp-1", SHA),
                Kind.MANIFEST, TransferKeys.manifest(l, cluster, tenant, "export-1"),
                Kind.ACK, TransferKeys.ack(l, cluster, tenant, execution, 3),
                Kind.ABORT, TransferKeys.abort(l, cluster, tenant, execution, 3),
                Kind.OUTCOME, TransferKeys.outcome(l, cluster, tenant, execution, 3));
    }

    @Test
    void keysFollowTheDocumentedLayout() {
        Location root = at("");
        Location prefixed = at("shared/caf");

        assertThat(TransferKeys.checkpoint(root, "a", "t", "e", "c", SHA))
                .isEqualTo("clusters/a/tenants/t/executions/e/checkpoints/c/" + SHA + ".json");
        assertThat(TransferKeys.checkpoint(prefixed, "a", "t", "e", "c", SHA))
                .isEqualTo("shared/caf/clusters/a/tenants/t/executions/e/checkpoints/c/" + SHA + ".json");
        assertThat(TransferKeys.manifest(root, "a", "t", "x"))
                .isEqualTo("clusters/a/tenants/t/exports/x.manifest.json");
        assertThat(TransferKeys.ack(root, "a", "t", "e", 7)).isEqualTo("clusters/a/tenants/t/handoffs/e/7.ack.json");
        assertThat(TransferKeys.abort(root, "a", "t", "e", 7))
                .isEqualTo("clusters/a/tenants/t/handoffs/e/7.abort.json");
        assertThat(TransferKeys.outcome(root, "a", "t", "e", 7))
                .isEqualTo("clusters/a/tenants/t/handoffs/e/7.outcome.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "caf", "shared/caf/v1"})
    void everyKindOfKeyParsesBackToItsKindClusterAndTenant(String prefix) {
        Location l = at(prefix);
        keysOfEachKind(l, "cluster-a", "tenant_1", "exec-1")
                .forEach((kind, key) -> assertThat(TransferKeys.parse(l, key))
                        .as(key)
                        .isEqualTo(new Parsed(kind, "cluster-a", "tenant_1")));
    }

    @Test
    void idsWithUnicodeSlashAndPercentAreReadBackDecoded() {
        Location l = at("shared/caf");
        for (String cluster : AWKWARD_IDS) {
            for (String tenant : AWKWARD_IDS) {
                for (String execution : List.of("exec/1", "100%", "checkpoints")) {
                    keysOfEachKind(l, cluster, tenant, execution).forEach((kind, key) -> {
                        assertThat(TransferKeys.parse(l, key)).as(key).isEqualTo(new Parsed(kind, cluster, tenant));
                        assertThat(key.substring(TransferKeys.clusters(l).length()))
                                .as("an id adds no segment: " + key)
                                .doesNotContain("//")
                                .matches("[^/]+/tenants/[^/]+/.*");
                    });
                }
            }
        }
    }

    @Test
    void keysOutsideTheLocationsClustersAreOtherWithoutParts() {
        Location root = at("");
        Location prefixed = at("shared/caf");
        Parsed none = new Parsed(Kind.OTHER, null, null);
        String manifest = "clusters/a/tenants/t/exports/x.manifest.json";

        assertThat(TransferKeys.parse(root, "other/" + manifest)).isEqualTo(none);
        assertThat(TransferKeys.parse(root, "")).isEqualTo(none);
        assertThat(TransferKeys.parse(prefixed, manifest)).isEqualTo(none);
        assertThat(TransferKeys.parse(prefixed, "shared/" + manifest)).isEqualTo(none);
        assertThat(TransferKeys.parse(prefixed, "shared/cafe/" + manifest)).isEqualTo(none);
        assertThat(TransferKeys.parse(prefixed, "shared/caf/" + manifest))
                .isEqualTo(new Parsed(Kind.MANIFEST, "a", "t"));
    }

    @Test
    void keysWithoutAClusterAndTenantAreOtherWithoutParts() {
        Location l = at("");
        Parsed none = new Parsed(Kind.OTHER, null, null);

        for (String key : List.of(
                "clusters/",
                "clusters/a",
                "clusters/a/tenants",
                "clusters/a/tenants/t",
                "clusters/a/tenant/t/exports/x.manifest.json",
                "clusters/a/executions/t/exports/x.manifest.json",
                "clusters//tenants/t/exports/x.manifest.json",
                "clusters/a/tenants//exports/x.manifest.json")) {
            assertThat(TransferKeys.parse(l, key)).as(key).isEqualTo(none);
        }
    }

    /** Segments {@link ObjectKeys#segment} never writes: a key holding one was not written by this layout. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "a.b", // '.' is always encoded
                "a b",
                "%2", // truncated escape
                "%",
                "a%",
                "%zz", // not hex
                "%2f", // lower-case hex
                "%41", // 'A' is kept literal
                "%2D", // '-' is kept literal
                "%FF", // not UTF-8
                "%C3", // a truncated UTF-8 sequence
                "%C0%AF", // an overlong '/'
                "\u00e9", // a literal non-ASCII letter
                "%\uff11\uff11" // full-width digits, which Character.digit reads as hex digits
            })
    void malformedClusterOrTenantSegmentsAreOtherWithoutParts(String bad) {
        Location l = at("shared");
        Parsed none = new Parsed(Kind.OTHER, null, null);

        assertThat(TransferKeys.decode(bad)).isNull();
        assertThat(TransferKeys.parse(l, "shared/clusters/" + bad + "/tenants/t/exports/x.manifest.json"))
                .isEqualTo(none);
        assertThat(TransferKeys.parse(l, "shared/clusters/a/tenants/" + bad + "/exports/x.manifest.json"))
                .isEqualTo(none);
    }

    @Test
    void keysUnderATenantOfNoKnownShapeAreOtherWithTheirClusterAndTenant() {
        Location l = at("");
        String tenant = "clusters/a/tenants/t/";
        Parsed other = new Parsed(Kind.OTHER, "a", "t");

        for (String rest : List.of(
                "",
                "notes.txt",
                // checkpoints: the checksum is 64 lower-case hex digits, then .json, at the eighth segment
                "executions/e/checkpoints/c/" + SHA.toUpperCase() + ".json",
                "executions/e/checkpoints/c/" + SHA.substring(1) + ".json",
                "executions/e/checkpoints/c/" + SHA + "0.json",
                "executions/e/checkpoints/c/" + SHA,
                "executions/e/checkpoints/c/" + SHA + ".json.tmp",
                "executions/e/checkpoint/c/" + SHA + ".json",
                "execution/e/checkpoints/c/" + SHA + ".json",
                "executions/e/checkpoints/c/d/" + SHA + ".json",
                "executions/e/checkpoints/" + SHA + ".json",
                // manifests: directly under exports/
                "exports/x.json",
                "exports/x.manifest.json.part",
                "exports/x/y.manifest.json",
                "export/x.manifest.json",
                // handoff markers: <epoch digits>.<ack|abort|outcome>.json directly under the execution
                "handoffs/e/7.json",
                "handoffs/e/x.ack.json",
                "handoffs/e/-1.abort.json",
                "handoffs/e/1.5.outcome.json",
                "handoffs/e/.ack.json",
                "handoffs/e/7.ack.json.tmp",
                "handoffs/e/7.ACK.json",
                "handoffs/e/7.ack.json/x",
                "handoffs/7.ack.json",
                "handoffs/e/f/7.ack.json")) {
            assertThat(TransferKeys.parse(l, tenant + rest)).as(rest).isEqualTo(other);
        }
    }

    @Test
    void decodeIsTheInverseOfSegment() {
        List<String> ids = new ArrayList<>(AWKWARD_IDS);
        ids.addAll(List.of(
                "plain-id_1",
                "ABCxyz019_-",
                "a%2Fb",
                "%25",
                "%",
                "a+b=c&d?e#f",
                "\u0000",
                "\u007f",
                "\u20ac",
                "\ud83d\ude00",
                "\u0663",
                "x".repeat(300)));
        for (int c = 1; c < 0x250; c++) {
            ids.add(String.valueOf((char) c));
        }
        for (String id : ids) {
            String segment = ObjectKeys.segment(id);
            assertThat(segment).as(id).matches("[A-Za-z0-9_%-]+");
            assertThat(TransferKeys.decode(segment)).as(segment).isEqualTo(id);
        }
    }

    @Test
    void theEmptyIdIsNoSegment() {
        assertThat(ObjectKeys.segment("")).isEmpty();
        assertThat(TransferKeys.decode("")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "caf", "shared/caf"})
    void executionCheckpointsIsThePrefixOfEveryCheckpointOfTheExecution(String prefix) {
        Location l = at(prefix);
        // a cluster and tenant named like the folder come before it in the key
        String cluster = "checkpoints";
        String tenant = "checkpoints";
        for (String execution : List.of("exec-1", "x/checkpoints/y", "checkpoints", "executions", "100%")) {
            String expected = TransferKeys.tenant(l, cluster, tenant) + "executions/" + ObjectKeys.segment(execution)
                    + "/checkpoints/";
            for (String id : List.of("cp-1", "cp/checkpoints/2", "../checkpoints", "\ud83d\ude00")) {
                String key = TransferKeys.checkpoint(l, cluster, tenant, execution, id, SHA);
                assertThat(TransferKeys.executionCheckpoints(key)).as(key).isEqualTo(expected);
                assertThat(key).startsWith(expected);
            }
            assertThat(TransferKeys.checkpoint(l, cluster, tenant, execution + "-other", "cp-1", SHA))
                    .doesNotStartWith(expected);
        }
    }

    @Test
    void executionCheckpointsOfACheckpointNamedCheckpoints() {
        Location l = at("");
        String key = TransferKeys.checkpoint(l, "a", "t", "e", "checkpoints", SHA);

        assertThat(TransferKeys.executionCheckpoints(key)).isEqualTo("clusters/a/tenants/t/executions/e/checkpoints/");
    }

    @Test
    void executionCheckpointsRefusesAKeyThatIsNoCheckpoint() {
        Location l = at("");
        for (String key : List.of(
                TransferKeys.manifest(l, "a", "t", "x"), TransferKeys.ack(l, "a", "t", "e", 1), "", "checkpoints/")) {
            assertThatThrownBy(() -> TransferKeys.executionCheckpoints(key))
                    .as(key)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
