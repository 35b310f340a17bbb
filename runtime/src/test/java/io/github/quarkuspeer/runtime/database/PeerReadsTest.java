package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.github.quarkuspeer.testing.CountingDataSource;
import io.vertx.core.Vertx;

/** {@code isLeader()}, {@code getLeader()} and {@code fencingToken()} read published state, never the database. */
class PeerReadsTest {

    @Test
    void readingLeadershipNeverTakesAConnection() throws Exception {
        String table = "reads_" + Long.toHexString(System.nanoTime() & 0xffffffL);
        Vertx vertx = Vertx.vertx();
        try (TestDatabase database = TestDatabase.postgres()) {
            Schema.create(database.dataSource, database.dialect, table);
            CountingDataSource counting = new CountingDataSource(database.dataSource);
            // a long interval, so that no round runs while the reads are counted
            Duration minute = Duration.ofMinutes(1);
            Election election = new Election("reads", "node-a", true, Timing.of(minute, minute),
                    new JdbcLeaseStore(counting, database.dialect, table, Duration.ofSeconds(5)),
                    new VertxScheduling(vertx, vertx.getOrCreateContext()), event -> {
                    }, System::nanoTime);
            election.start().join();
            await().atMost(Duration.ofSeconds(10)).until(election::isLeader);
            long before = counting.statements();
            for (int i = 0; i < 100_000; i++) {
                assertThat(election.isLeader()).isTrue();
                assertThat(election.getLeader()).isPresent();
                assertThat(election.fencingToken()).isPresent();
            }
            assertThat(counting.statements()).isEqualTo(before);
            election.release().join();
            database.dropTable(table);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
