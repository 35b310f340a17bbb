package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** A {@code notify-datasource} that is not PostgreSQL fails the build: no other database notifies releases. */
class NotifyDatasourceOfAnotherDatabaseFailsBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test")
            .overrideConfigKey("quarkus.datasource.username", "postgres")
            .overrideConfigKey("quarkus.datasource.\"side\".db-kind", "h2")
            .overrideConfigKey("quarkus.datasource.\"side\".jdbc.url", "jdbc:h2:mem:side")
            .overrideConfigKey("quarkus.peer.notify-datasource", "side")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("quarkus.peer.notify-datasource=side is invalid")
                    .contains("only PostgreSQL notifies released leases")
                    .contains("the datasource side is h2"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
