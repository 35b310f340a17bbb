package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A {@code notify-datasource} that is inactive at run time (here: it has no URL) leaves listening to the lease
 * datasource, and the node says so once: one build serves deployments with and without a pooler.
 */
class InactiveNotifyDatasourceLeavesListeningToTheLeaseDatasourceTest {

    static final String LEASES = "peer-leases-" + ProcessHandle.current().pid();

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.postgres("peers_notify_inactive")
            .overrideConfigKey("quarkus.datasource.jdbc.url", TestDatabases.PG_URL + "?ApplicationName=" + LEASES)
            .overrideConfigKey("quarkus.datasource.\"direct\".db-kind", "postgresql")
            .overrideConfigKey("quarkus.peer.notify-datasource", "direct")
            .overrideConfigKey("quarkus.peer.node", "node-i")
            .setLogRecordPredicate(record -> record.getLoggerName().startsWith("io.github.quarkuspeer")
                    && record.getLevel().intValue() >= Level.INFO.intValue())
            .assertLogRecords(records -> assertThat(records).filteredOn(r -> r.getMessage().contains("is not active"))
                    .singleElement().satisfies(r -> assertThat(r.getParameters()).containsExactly("direct",
                            "<default>")));

    @Inject
    Peer peer;

    @Test
    void theNodeListensOnTheLeaseDatasource() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestDatabases.listeningApplications().contains(LEASES));
    }
}
