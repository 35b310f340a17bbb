package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.SchemaManagement;
import io.github.quarkuspeer.runtime.database.Cluster.Node;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.testing.PrivatePostgres;
import io.vertx.core.VertxOptions;

/**
 * The database goes away and comes back, on a private server that the test stops and starts: the leader stops
 * leading by its lease, each peer warns once, and afterwards one node leads again with no thread or connection left
 * over.
 */
class PostgresOutageTest {

    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration LEASE = Duration.ofSeconds(2);

    /** Collects what the elections log. */
    static final class Captured extends Handler {
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        long count(Level level, String text) {
            return records.stream()
                    .filter(r -> r.getLevel().intValue() == level.intValue() && r.getMessage() != null
                            && String.valueOf(r.getMessage()).contains(text))
                    .count();
        }
    }

    /** The live threads, but Awaitility's own, which come and go with each wait. */
    static Set<String> threads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> !name.startsWith("awaitility")).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theLeaderStepsDownDuringAnOutageAndOneNodeLeadsAgainWithNothingLeakedAfterIt() throws Exception {
        Logger electionLog = Logger.getLogger(Election.class.getName());
        Captured log = new Captured();
        electionLog.addHandler(log);
        try (PrivatePostgres server = PrivatePostgres.start();
                TestDatabase database = TestDatabase.postgres(server.jdbcUrl())) {
            Schema.create(database.dataSource, database.dialect, "outage_peers");
            // a small worker pool, so that it is fully grown before threads are counted
            try (Cluster cluster = new Cluster(database, "outage_peers", new VertxOptions().setWorkerPoolSize(4))) {
                cluster.listen();
                Node a = cluster.node("outage", "node-a", INTERVAL, LEASE);
                a.start().join();
                Node b = cluster.node("outage", "node-b", INTERVAL, LEASE);
                b.start().join();
                await().atMost(Duration.ofSeconds(20)).until(() -> cluster.leaders("outage").size() == 1);
                Node leader = cluster.leaders("outage").get(0);
                // let the pools and threads settle into their steady state before counting them
                await().atMost(Duration.ofSeconds(20)).until(() -> a.store.completedRounds.get() >= 5
                        && b.store.completedRounds.get() >= 5);
                Set<String> threadsBefore = threads();
                int checkedOutBefore = (int) database.dataSource.getMetrics().activeCount();

                server.stop();
                // the leader stops claiming leadership by itself, within its lease
                await().atMost(LEASE.multipliedBy(10)).until(() -> cluster.leaders("outage").isEmpty());
                await().atMost(Duration.ofSeconds(10)).until(() -> leader.reasons().contains(Reason.LOST));
                // several failed rounds each, yet one warning per peer
                await().atMost(Duration.ofSeconds(30)).until(() -> a.store.failedRounds.get() >= 3
                        && b.store.failedRounds.get() >= 3);
                assertThat(log.count(Level.WARNING, "are failing")).isEqualTo(2);

                server.startAgain();
                await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leaders("outage").size() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> log.count(Level.INFO, "work again") == 2);
                assertThat(log.count(Level.WARNING, "are failing")).isEqualTo(2);
                // nothing left over: no thread that was not there before, no connection still checked out
                await().atMost(Duration.ofSeconds(20)).until(() -> threadsBefore.containsAll(threads())
                        && database.dataSource.getMetrics().activeCount() == checkedOutBefore);
            }
        } finally {
            electionLog.removeHandler(log);
        }
    }

    @Test
    void aTableThatCouldNotBeCreatedAtStartIsCreatedByTheFirstRoundThatReachesTheDatabase() throws Exception {
        try (PrivatePostgres server = PrivatePostgres.start();
                TestDatabase database = TestDatabase.postgres(server.jdbcUrl())) {
            server.stop();
            try (Cluster cluster = new Cluster(database, "late_peers")) {
                JdbcLeaseStore.SchemaWork create = () -> Schema.create(database.dataSource, database.dialect,
                        "late_peers");
                assertThatThrownBy(create::run).isInstanceOf(java.sql.SQLException.class);
                Node a = cluster.node("late", "node-a", INTERVAL, LEASE, true, SchemaManagement.CREATE);
                a.start().join();
                assertThat(a.election.isLeader()).isFalse();

                server.startAgain();
                await().atMost(Duration.ofSeconds(30)).until(a.election::isLeader);
                Schema.validate(database.dataSource, database.dialect, "late_peers");
            }
        }
    }
}
