package io.github.quarkuspeer.deployment.global;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** A global instance without its members fails the start, naming the key (here a named instance's) and what it needs. */
class GlobalKindWithoutMembersFailsStartTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "global")
            .overrideConfigKey("quarkus.peer.node", "n1")
            .overrideConfigKey("quarkus.peer.global.members", "n1@127.0.0.1:7801")
            .overrideConfigKey("quarkus.peer.reports.kind", "global")
            .assertException(failure -> assertThat(Failures.messages(failure))
                    .contains("quarkus.peer.reports.global.members is not set")
                    .contains("name@host:port"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
