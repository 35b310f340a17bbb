package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.vertx.core.Vertx;

/** {@code isLeader()}, {@code getLeader()} and {@code fencingToken()} read published state, never the database. */
class PeerReadsTest {

    /** Counts the connections taken from a real pool. */
    static final class CountingDataSource implements DataSource {
        final DataSource pool;
        final AtomicInteger taken = new AtomicInteger();

        CountingDataSource(DataSource pool) {
            this.pool = pool;
        }

        @Override
        public Connection getConnection() throws SQLException {
            taken.incrementAndGet();
            return pool.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            taken.incrementAndGet();
            return pool.getConnection(user, password);
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return pool.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            pool.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            pool.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return pool.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return pool.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            return pool.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return pool.isWrapperFor(type);
        }
    }

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
            int before = counting.taken.get();
            for (int i = 0; i < 100_000; i++) {
                assertThat(election.isLeader()).isTrue();
                assertThat(election.getLeader()).isPresent();
                assertThat(election.fencingToken()).isPresent();
            }
            assertThat(counting.taken.get()).isEqualTo(before);
            election.release(Duration.ofSeconds(5).toNanos());
            database.dropTable(table);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
