package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** An unknown kind fails the build, naming the key and the value. */
class UnknownKindFailsBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "zookeeper")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("quarkus.peer.kind")
                    .contains("zookeeper"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
