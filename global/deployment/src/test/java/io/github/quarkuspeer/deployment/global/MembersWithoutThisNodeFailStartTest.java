package io.github.quarkuspeer.deployment.global;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** Members that do not list this node fail the start, naming the key, its value and the node's key. */
class MembersWithoutThisNodeFailStartTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "global")
            .overrideConfigKey("quarkus.peer.node", "n9")
            .overrideConfigKey("quarkus.peer.global.members", "n1@127.0.0.1:7801,n2@127.0.0.1:7802")
            .assertException(failure -> assertThat(Failures.messages(failure))
                    .contains("quarkus.peer.global.members=n1@127.0.0.1:7801,n2@127.0.0.1:7802 is invalid")
                    .contains("quarkus.peer.node=n9"));

    @Test
    void fails() {
        // asserted by assertException
    }
}
