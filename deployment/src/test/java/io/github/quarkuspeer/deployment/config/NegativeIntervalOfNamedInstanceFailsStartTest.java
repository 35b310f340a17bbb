package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** A negative interval of a named instance fails the start, naming that instance's key. */
class NegativeIntervalOfNamedInstanceFailsStartTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"billing\".kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"billing\".interval", "-5s")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("quarkus.peer.billing.interval=-5s")
                    .contains("must be positive"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
