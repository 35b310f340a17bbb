package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * Two instances on one datasource share its listening connection: one that names a {@code notify-datasource} while
 * the other does not fails the build, naming both keys.
 */
class InstancesOnOneDatasourceWithDifferentNotifyDatasourcesFailBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test")
            .overrideConfigKey("quarkus.datasource.username", "postgres")
            .overrideConfigKey("quarkus.datasource.\"direct\".db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.\"direct\".jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test")
            .overrideConfigKey("quarkus.datasource.\"direct\".username", "postgres")
            .overrideConfigKey("quarkus.peer.notify-datasource", "direct")
            .overrideConfigKey("quarkus.peer.reports.kind", "database")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("quarkus.peer.reports.notify-datasource=(not set) is invalid")
                    .contains("quarkus.peer.notify-datasource=direct")
                    .contains("share its listening connection"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
