package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.TestDatabases;
import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** {@code schema-management=validate} without the table fails the start, naming the table and the DDL to run. */
class ValidateOnAMissingTableFailsStartTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.h2("validate_missing")
            .overrideConfigKey("quarkus.peer.table", "peers_never_created")
            .overrideConfigKey("quarkus.peer.schema-management", "validate")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("quarkus.peer.schema-management=validate: ")
                    .contains("table 'peers_never_created'")
                    .contains("does not exist")
                    .contains("META-INF/quarkus-peer/ddl/h2.sql"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
