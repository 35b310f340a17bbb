package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** A zero interval fails the start, naming the key and the value. */
class ZeroIntervalFailsStartTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.interval", "0s")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("quarkus.peer.interval=0s")
                    .contains("must be positive"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
