package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.database.Cluster.Node;

/**
 * Graceful release on PostgreSQL: the delete and its NOTIFY leave together, and a follower that was not due to
 * check for another 30 seconds takes over at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresHandoverTest {

    static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);
    static final long RELEASE_WAIT = Duration.ofSeconds(10).toNanos();

    TestDatabase database;
    String table;
    Cluster cluster;
    String instance;

    @BeforeAll
    void createTable() throws SQLException {
        database = TestDatabase.postgres();
        table = "handover_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        Schema.create(database.dataSource, database.dialect, table);
    }

    @AfterAll
    void dropTable() {
        database.dropTable(table);
        database.close();
    }

    @BeforeEach
    void startCluster(TestInfo test) {
        cluster = new Cluster(database, table);
        cluster.listen();
        instance = test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    private String owner() {
        return new LeaseRows(database, table).owner(instance);
    }

    @Test
    void aReleasedLeaseIsTakenOverThroughTheNotificationLongBeforeTheInterval() {
        Node a = cluster.node(instance, "node-a", THIRTY_SECONDS, THIRTY_SECONDS);
        a.start().join();
        assertThat(a.election.isLeader()).isTrue();
        Node b = cluster.node(instance, "node-b", THIRTY_SECONDS, THIRTY_SECONDS);
        b.start().join();
        assertThat(b.election.getLeader()).contains("node-a");

        long released = System.nanoTime();
        a.release();
        assertThat(owner()).isNotEqualTo(a.election.owner());
        // b's own schedule would not look again for about 30 s: only the notification can make it this fast
        await().atMost(Duration.ofSeconds(10)).until(b.election::isLeader);
        assertThat(Duration.ofNanos(b.events.get(0).nanos() - released)).isLessThan(Duration.ofSeconds(10));
        assertThat(a.reasons()).containsExactly(Reason.ELECTED, Reason.RESIGNED);
        assertThat(owner()).isEqualTo(b.election.owner());
    }

    @Test
    void theReleasingPeerNeverWinsTheLeaseBackOnItsWayOut() {
        Node a = cluster.node(instance, "node-a", THIRTY_SECONDS, THIRTY_SECONDS);
        a.start().join();
        assertThat(a.election.isLeader()).isTrue();
        int rounds = a.store.completedRounds.get();

        a.release();
        // its own notification reaches it, and timers were pending: none may run a round
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> owner() == null && !a.election.isLeader());
        assertThat(a.store.completedRounds.get()).isEqualTo(rounds);
    }

    @Test
    void aRoundStillWaitingWhenTheReleaseBeginsSendsNothingHoweverLongItWaits() {
        Node a = cluster.node(instance, "node-a", Duration.ofSeconds(1), Duration.ofSeconds(1));
        a.start().join();
        assertThat(a.election.isLeader()).isTrue();
        // a round waits (for a connection, a worker, anything) before its statement
        a.store.block();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.store.waiting.get() == 1);

        // the release does not wait for a round that has sent nothing: it deletes the lease at once
        a.release();
        assertThat(owner()).isNull();
        assertThat(a.reasons()).containsExactly(Reason.ELECTED, Reason.RESIGNED);
        // however long the round waited, it finds the release begun and sends nothing
        int sent = a.store.completedRounds.get() + a.store.failedRounds.get();
        a.store.unblock();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.store.refused.get() == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> owner() == null);
        assertThat(a.store.completedRounds.get() + a.store.failedRounds.get()).isEqualTo(sent);
        assertThat(a.election.isLeader()).isFalse();
    }

    @Test
    void aStatementInFlightWhenTheReleaseBeginsEndsBeforeTheDeleteAndCannotWinTheLeaseBack() throws Exception {
        // a 30 s lease: the server's bound on a statement is 7.5 s, longer than the stall below
        Node a = cluster.node(instance, "node-a", THIRTY_SECONDS, THIRTY_SECONDS);
        a.start().join();
        assertThat(a.election.isLeader()).isTrue();
        try (Stall stall = Stall.install(database, table)) {
            stall.hold();
            a.election.wake(false);
            await().atMost(Duration.ofSeconds(10)).until(stall::waiting);

            CompletableFuture<LeadershipChanged> releasing = a.election.release();
            // a stops claiming at once, but deletes only once the renewal in flight has ended
            assertThat(a.election.isLeader()).isFalse();
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7))
                    .until(() -> !releasing.isDone() && a.election.owner().equals(owner()));
            stall.release();
            assertThat(releasing.get(10, TimeUnit.SECONDS).reason()).isEqualTo(Reason.RESIGNED);
            // the renewal committed first, then the delete: the lease is gone for good
            assertThat(owner()).isNull();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> owner() == null);
        }
    }
}
