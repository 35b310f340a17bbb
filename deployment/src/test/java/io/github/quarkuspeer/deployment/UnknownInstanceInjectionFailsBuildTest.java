package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

class UnknownInstanceInjectionFailsBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Client.class))
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("No Quarkus Peer instance named 'invoices' is configured")
                    .contains("Client#invoices"));

    @ApplicationScoped
    static class Client {
        @Inject
        @Named("invoices")
        Peer invoices;
    }

    @Test
    void buildFails() {
        // the assertion is in assertException
    }
}
