package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** A {@code notify-datasource} that names no datasource of the application fails the build. */
class UnknownNotifyDatasourceFailsBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test")
            .overrideConfigKey("quarkus.datasource.username", "postgres")
            .overrideConfigKey("quarkus.peer.notify-datasource", "direct")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("quarkus.peer.notify-datasource=direct is invalid")
                    .contains("no JDBC datasource of that name"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
