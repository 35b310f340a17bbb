package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** The build reports every mistake of the configuration at once, each naming its key, not only the first. */
class SeveralMistakesFailTheBuildTogetherTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Client.class))
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.table", "no such table")
            .overrideConfigKey("quarkus.peer.\"billing\".kind", "global")
            .overrideConfigKey("quarkus.peer.\"reports\".datasource", "nowhere")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("4 configuration errors")
                    .contains("quarkus.peer.table=no such table is invalid")
                    .contains("quarkus.peer.billing.kind=global is not available")
                    .contains("quarkus.peer.reports.datasource=nowhere is invalid")
                    .contains("No Quarkus Peer instance named 'invoices'"));

    @ApplicationScoped
    static class Client {
        @Inject
        @Named("invoices")
        Peer invoices;
    }

    @Test
    void fails() {
        // asserted by assertException
    }
}
