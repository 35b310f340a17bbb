package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** A table name that is not a plain identifier fails the build: it is the only identifier that reaches SQL. */
class InvalidTableNameFailsBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.table", "peers; drop table users")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("quarkus.peer.table=peers; drop table users")
                    .contains("plain SQL identifier"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
