package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** A lease shorter than half the interval fails the start: the leader could not renew in time. */
class LeaseShorterThanHalfTheIntervalFailsStartTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.interval", "10s")
            .overrideConfigKey("quarkus.peer.lease-duration", "2s")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("quarkus.peer.lease-duration=2s")
                    .contains("at least half the interval")
                    .contains("quarkus.peer.interval=10s"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
