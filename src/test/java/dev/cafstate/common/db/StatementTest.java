package dev.cafstate.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Named parameters: numbered by first appearance, one number per name, casts and literals left alone. */
class StatementTest {

    @Test
    void numbersNamesByFirstAppearanceAndReusesANumberForARepeatedName() {
        Statement s = Statement.of("SELECT :b, :a WHERE x = :b AND y = ANY(:expected::bigint[])");
        assertThat(s.sql()).isEqualTo("SELECT $1, $2 WHERE x = $1 AND y = ANY($3::bigint[])");
        assertThat(s.parameters()).containsExactly("b", "a", "expected");
    }

    @Test
    void leavesCastsWordsWithColonsAndArraySlicesAlone() {
        Statement s = Statement.of("SELECT '{}'::json, x::text::jsonb, arr[1:2], 'caf:stale' WHERE t = :tenant");
        assertThat(s.sql()).isEqualTo("SELECT '{}'::json, x::text::jsonb, arr[1:2], 'caf:stale' WHERE t = $1");
        assertThat(s.parameters()).containsExactly("tenant");
    }

    @Test
    void bindsValuesInParameterOrderIncludingNulls() {
        Statement s = Statement.of("SELECT :second, :first");
        var tuple = s.bind(Params.of().put("first", 1).put("second", null));
        assertThat(tuple.size()).isEqualTo(2);
        assertThat(tuple.getValue(0)).isNull();
        assertThat(tuple.getValue(1)).isEqualTo(1);
    }

    @Test
    void refusesMissingAndUnknownParameters() {
        Statement s = Statement.of("SELECT :a, :b");
        assertThatThrownBy(() -> s.bind(Params.of().put("a", 1))).hasMessageContaining("missing [b]");
        assertThatThrownBy(() -> s.bind(Params.of().put("a", 1).put("b", 2).put("c", 3)))
                .hasMessageContaining("unknown [c]");
        assertThatThrownBy(() -> Params.of().put("a", 1).put("a", 2)).hasMessageContaining("given twice");
    }
}
