package io.github.quarkuspeer.deployment.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/** An instance name over 255 characters fails the build. */
class InstanceNameTooLongFailsBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii\".kind", "isolated")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("instance name")
                    .contains("1 to 255 characters, it has 256"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
