package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which database kinds have a dialect, under Quarkus' names and aliases, and what the others are told. */
class DialectForDbKindTest {

    @Test
    void eachSupportedKindAndItsQuarkusAliasesHaveTheirDialect() {
        assertThat(Dialect.forDbKind("postgresql")).isInstanceOf(PostgresDialect.class);
        assertThat(Dialect.forDbKind("pgsql")).isInstanceOf(PostgresDialect.class);
        assertThat(Dialect.forDbKind("mariadb")).isInstanceOf(MariaDbDialect.class);
        assertThat(Dialect.forDbKind("h2")).isInstanceOf(H2Dialect.class);
        assertThat(Dialect.SUPPORTED).containsExactly("postgresql", "mariadb", "h2");
    }

    @Test
    void mysqlIsRefusedWithTheReasonAndTheWayOut() {
        assertThatThrownBy(() -> Dialect.forDbKind("mysql")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the database kind 'mysql' has no Quarkus Peer dialect")
                .hasMessageContaining("neither sequences nor INSERT ... RETURNING")
                .hasMessageContaining("db-kind=mariadb");
    }

    @Test
    void anUnknownKindIsNamedWithTheSupportedOnes() {
        assertThatThrownBy(() -> Dialect.forDbKind("oracle")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'oracle'").hasMessageContaining("[postgresql, mariadb, h2]");
    }
}
