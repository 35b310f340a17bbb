package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.LeaderOnly;
import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

class UnknownLeaderOnlyInstanceFailsBuildTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Job.class))
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("No Quarkus Peer instance named 'payroll' is configured")
                    .contains("@LeaderOnly"));

    @ApplicationScoped
    static class Job {
        @LeaderOnly("payroll")
        void run() {
        }
    }

    @Test
    void buildFails() {
        // asserted by assertException
    }
}
