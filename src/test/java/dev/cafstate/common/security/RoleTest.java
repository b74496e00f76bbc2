package dev.cafstate.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.cafstate.common.security.Role.Access;

/**
 * The access rules of docs/architecture.md ("Tenancy and access"): reads need {@code agent}, {@code reader} or
 * {@code operator}, changes {@code agent}, maintenance and transfers {@code operator}; which access a request needs
 * follows from its method and path alone, and role names are exactly the lower-case wire names.
 */
class RoleTest {

    @Test
    void wireNamesAreTheLowerCaseNames() {
        assertThat(Role.AGENT.wire()).isEqualTo("agent");
        assertThat(Role.READER.wire()).isEqualTo("reader");
        assertThat(Role.OPERATOR.wire()).isEqualTo("operator");
        for (Role role : Role.values()) {
            assertThat(Role.of(role.wire())).isSameAs(role);
        }
    }

    @Test
    void namesThatAreNotExactlyARoleAreNoRole() {
        for (String name : new String[] {
            "Agent", "AGENT", " agent", "agent ", "admin", "", "agents", "operator+reader", "\u0430gent"
        }) {
            assertThat(Role.of(name)).as(name).isNull();
        }
        assertThat(Role.of(null)).isNull();
    }

    @Test
    void anyRoleMayRead() {
        for (Role role : Role.values()) {
            assertThat(Access.READ.grantedBy(EnumSet.of(role))).as(role.wire()).isTrue();
        }
    }

    @Test
    void onlyAgentsMayWrite() {
        assertThat(Access.WRITE.grantedBy(EnumSet.of(Role.AGENT))).isTrue();
        assertThat(Access.WRITE.grantedBy(EnumSet.of(Role.READER))).isFalse();
        assertThat(Access.WRITE.grantedBy(EnumSet.of(Role.OPERATOR))).isFalse();
        assertThat(Access.WRITE.grantedBy(EnumSet.of(Role.READER, Role.OPERATOR)))
                .isFalse();
        assertThat(Access.WRITE.grantedBy(EnumSet.of(Role.READER, Role.AGENT))).isTrue();
    }

    @Test
    void onlyOperatorsMayOperate() {
        assertThat(Access.OPERATE.grantedBy(EnumSet.of(Role.OPERATOR))).isTrue();
        assertThat(Access.OPERATE.grantedBy(EnumSet.of(Role.AGENT, Role.READER)))
                .isFalse();
    }

    @Test
    void noRoleGrantsNothing() {
        for (Access access : Access.values()) {
            assertThat(access.grantedBy(Set.of())).as(access.name()).isFalse();
        }
    }

    @Test
    void namesTheRolesThatGrantAnAccess() {
        assertThat(Access.READ.roles()).isEqualTo("agent or reader or operator");
        assertThat(Access.WRITE.roles()).isEqualTo("agent");
        assertThat(Access.OPERATE.roles()).isEqualTo("operator");
    }

    @ParameterizedTest(name = "{0} {1} needs {2}")
    @CsvSource(delimiter = ' ', textBlock = """
            GET /api/v1/executions READ
            HEAD /api/v1/executions/e1 READ
            OPTIONS /api/v1/executions READ
            GET /api/v1/executions/e1/state READ
            GET /api/v1/executions/e1/events READ
            GET /api/v1/executions/e1/context/memory/k READ
            GET /api/v1/checkpoints/c1/document READ
            GET /api/v1/checkpoints/c1/diff READ
            POST /api/v1/executions WRITE
            PATCH /api/v1/executions/e1 WRITE
            DELETE /api/v1/executions/e1 WRITE
            PUT /api/v1/executions/e1/context/memory/k WRITE
            PATCH /api/v1/executions/e1/context/variables WRITE
            POST /api/v1/executions/e1/thoughts WRITE
            POST /api/v1/checkpoints WRITE
            POST /api/v1/checkpoints/c1/restore WRITE
            DELETE /api/v1/checkpoints/c1 WRITE
            POST /api/v1/executions/e1/checkpoints WRITE
            GET /api/v1/maintenance OPERATE
            GET /api/v1/maintenance/ OPERATE
            GET /api/v1/maintenance/scrub OPERATE
            GET /api/v1/maintenance/scrub/problems OPERATE
            POST /api/v1/maintenance/scrub OPERATE
            POST /api/v1/maintenance/retention OPERATE
            POST /api/v1/maintenance/reconcile OPERATE
            GET /api/v1/exports OPERATE
            POST /api/v1/exports OPERATE
            POST /api/v1/imports/i1 OPERATE
            GET /api/v1/locations OPERATE
            POST /api/v1/executions/e1/handoff OPERATE
            POST /api/v1/executions/e1/handoff/ OPERATE
            GET /api/v1/executions/e1/handoff OPERATE
            """)
    void theAccessFollowsFromMethodAndPath(String method, String path, Access expected) {
        assertThat(Role.required(method, path)).isEqualTo(expected);
    }

    @Test
    void methodNamesAreCaseSensitive() {
        // RFC 9110 (9.1): "get" is not GET, so it is no read; an unknown method fails closed as a change
        assertThat(Role.required("get", "/api/v1/executions")).isEqualTo(Access.WRITE);
        assertThat(Role.required("Head", "/api/v1/executions")).isEqualTo(Access.WRITE);
    }

    @Test
    void anIdNamedHandoffIsNotAHandoff() {
        // a handoff is /api/v1/executions/{id}/handoff; an execution, memory key, step or tool call that happens to
        // be called "handoff" is read and written like any other
        assertThat(Role.required("GET", "/api/v1/executions/handoff")).isEqualTo(Access.READ);
        assertThat(Role.required("PATCH", "/api/v1/executions/handoff")).isEqualTo(Access.WRITE);
        assertThat(Role.required("PUT", "/api/v1/executions/e1/context/memory/handoff"))
                .isEqualTo(Access.WRITE);
        assertThat(Role.required("GET", "/api/v1/executions/e1/context/memory/handoff"))
                .isEqualTo(Access.READ);
        assertThat(Role.required("PATCH", "/api/v1/executions/e1/thoughts/handoff"))
                .isEqualTo(Access.WRITE);
        assertThat(Role.required("PATCH", "/api/v1/executions/e1/tool-calls/handoff"))
                .isEqualTo(Access.WRITE);
    }
}
