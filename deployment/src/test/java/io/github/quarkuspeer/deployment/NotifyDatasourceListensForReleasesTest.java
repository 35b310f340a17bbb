package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.test.QuarkusUnitTest;

/**
 * With {@code notify-datasource}, the node listens for released leases on a connection of that datasource, and on
 * none of the lease datasource: behind a pooler in transaction mode, that connection is the one that reaches the
 * database directly.
 */
class NotifyDatasourceListensForReleasesTest {

    static final String LEASES = "peer-leases-" + ProcessHandle.current().pid();
    static final String NOTIFY = "peer-notify-" + ProcessHandle.current().pid();

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.postgres("peers_notify_datasource")
            .overrideConfigKey("quarkus.datasource.jdbc.url", TestDatabases.PG_URL + "?ApplicationName=" + LEASES)
            .overrideConfigKey("quarkus.datasource.\"direct\".db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.\"direct\".jdbc.url",
                    TestDatabases.PG_URL + "?ApplicationName=" + NOTIFY)
            .overrideConfigKey("quarkus.datasource.\"direct\".username", TestDatabases.PG_USER)
            .overrideConfigKey("quarkus.peer.notify-datasource", "direct")
            .overrideConfigKey("quarkus.peer.node", "node-d");

    @Inject
    Peer peer;

    @Test
    void theNodeListensOnTheNotifyDatasourceOnly() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestDatabases.listeningApplications().contains(NOTIFY));
        assertThat(TestDatabases.listeningApplications()).doesNotContain(LEASES);
    }
}
