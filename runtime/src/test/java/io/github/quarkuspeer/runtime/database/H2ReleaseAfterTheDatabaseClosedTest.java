package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.database.Cluster.Node;

/**
 * When a JVM that serves an H2 database in files exits, H2's own exit hook closes the database while the application
 * is still stopping: every pooled connection is dead by the time the leader releases its lease. The release still
 * deletes the row, on a new connection, so that the next node takes over at its next check rather than after the
 * lease.
 */
class H2ReleaseAfterTheDatabaseClosedTest {

    /** Long enough that no round runs, and so no round replaces the dead connections, before the release. */
    static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    @Test
    void aLeaderReleasesItsLeaseAfterH2ClosedTheDatabaseUnderThePool() throws Exception {
        try (TestDatabase database = TestDatabase.h2Files(directory)) {
            Schema.create(database.dataSource, database.dialect, "closing_peers");
            LeaseRows rows = new LeaseRows(database, "closing_peers");
            try (Cluster cluster = new Cluster(database, "closing_peers")) {
                Node a = cluster.node("closing", "node-a", THIRTY_SECONDS, THIRTY_SECONDS);
                a.start().join();
                await().atMost(Duration.ofSeconds(20)).until(a.election::isLeader);
                assertThat(rows.owner("closing")).isEqualTo(a.election.owner());

                // what the exit hook does: close the database under the pool's connections
                database.execute("SHUTDOWN");
                a.release();

                assertThat(rows.owner("closing")).as("the lease row after the release").isNull();
                assertThat(a.reasons()).containsExactly(Reason.ELECTED, Reason.RESIGNED);
            }
        }
    }
}
