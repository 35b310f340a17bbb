package io.github.quarkuspeer.testing;

import static io.github.quarkuspeer.testing.Jdbc.connect;
import static io.github.quarkuspeer.testing.Jdbc.execute;
import static io.github.quarkuspeer.testing.Jdbc.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.testing.PrivatePostgresPair.Replication;

/** Proves what a failover of a {@link PrivatePostgresPair} keeps and loses, in each replication mode. */
class PrivatePostgresPairTest {

    @Test
    void aRowCommittedOnTheSynchronousPrimaryIsOnTheStandbyAfterPromotion() throws SQLException {
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.SYNCHRONOUS)) {
            assertThat(queryString(pair.primary().jdbcUrl(),
                    "select sync_state from pg_stat_replication where application_name = 'peer_standby'"))
                    .isEqualTo("sync");
            execute(pair.primary().jdbcUrl(), "create table lease(id int primary key)");
            execute(pair.primary().jdbcUrl(), "insert into lease values (1)");

            pair.primary().kill(); // no time for the standby to catch up on anything
            pair.standby().promote();

            assertThat(ids(pair.standby())).isEqualTo("1");
        }
    }

    @Test
    void anAsynchronousStandbyCutOffLosesTheRowCommittedOnThePrimary() throws SQLException {
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.ASYNCHRONOUS)) {
            execute(pair.primary().jdbcUrl(), "create table lease(id int primary key)");
            execute(pair.primary().jdbcUrl(), "insert into lease values (1)");
            pair.awaitStandbyReplayed();
            assertThat(ids(pair.standby())).isEqualTo("1");

            pair.cutReplication();
            execute(pair.primary().jdbcUrl(), "insert into lease values (2)");
            assertThat(ids(pair.primary())).as("committed on the primary").isEqualTo("1,2");
            pair.primary().kill();
            pair.standby().promote();

            assertThat(ids(pair.standby())).as("the promoted standby never received row 2").isEqualTo("1");
        }
    }

    @Test
    void resumedReplicationCatchesUpWithWhatWasCommittedMeanwhile() throws SQLException {
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.ASYNCHRONOUS)) {
            execute(pair.primary().jdbcUrl(), "create table lease(id int primary key)");
            pair.cutReplication();
            execute(pair.primary().jdbcUrl(), "insert into lease values (1)");

            pair.resumeReplication();

            assertThat(ids(pair.standby())).isEqualTo("1");
        }
    }

    @Test
    void pausingReplayAloneLosesNothing() throws SQLException {
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.ASYNCHRONOUS)) {
            execute(pair.primary().jdbcUrl(), "create table lease(id int primary key)");
            pair.awaitStandbyReplayed();
            execute(pair.standby().jdbcUrl(), "select pg_wal_replay_pause()");
            await().atMost(Duration.ofSeconds(10)).until(() -> "paused".equals(
                    queryString(pair.standby().jdbcUrl(), "select pg_get_wal_replay_pause_state()")));

            execute(pair.primary().jdbcUrl(), "insert into lease values (1)");
            String written = queryString(pair.primary().jdbcUrl(), "select pg_current_wal_lsn()");
            await().atMost(Duration.ofSeconds(10)).until(() -> "t".equals(queryString(pair.standby().jdbcUrl(),
                    "select pg_last_wal_receive_lsn() >= '" + written + "'::pg_lsn")));
            assertThat(ids(pair.standby())).as("received, not replayed").isNull();
            pair.primary().kill();
            pair.standby().promote();

            assertThat(ids(pair.standby())).as("promotion replays what was received").isEqualTo("1");
        }
    }

    @Test
    void aCommitOnTheSynchronousPrimaryWaitsWhileTheStandbyIsCutOff() throws Exception {
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.SYNCHRONOUS)) {
            execute(pair.primary().jdbcUrl(), "create table lease(id int primary key)");
            pair.cutReplication();

            CompletableFuture<Void> insert = CompletableFuture.runAsync(() -> {
                try (Connection c = connect(pair.primary().jdbcUrl() + "?ApplicationName=waiting-insert")) {
                    c.createStatement().execute("insert into lease values (1)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> "SyncRep".equals(queryString(pair.primary().jdbcUrl(),
                    "select wait_event from pg_stat_activity where application_name = 'waiting-insert'")));
            assertThat(insert).isNotDone();

            pair.resumeReplication();

            await().atMost(Duration.ofSeconds(10)).until(insert::isDone);
            assertThat(insert).isCompleted();
            assertThat(ids(pair.standby())).isEqualTo("1");
        }
    }

    @Test
    void theMultiHostUrlReachesWhicheverServerIsPrimary() throws SQLException {
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.ASYNCHRONOUS)) {
            assertThat(pair.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + pair.primary().port()
                    + ",127.0.0.1:" + pair.standby().port() + "/postgres?targetServerType=primary");
            assertThat(queryString(pair.jdbcUrl(), "select inet_server_port()"))
                    .isEqualTo(String.valueOf(pair.primary().port()));

            pair.primary().kill();
            pair.standby().promote();

            assertThat(queryString(pair.jdbcUrl(), "select inet_server_port()"))
                    .isEqualTo(String.valueOf(pair.standby().port()));
            assertThat(queryString(pair.jdbcUrl(), "select pg_is_in_recovery()")).isEqualTo("f");
        }
    }

    /** The ids in table {@code lease}, ascending and comma-separated; null if it is empty. */
    private static String ids(PrivatePostgres server) throws SQLException {
        return queryString(server.jdbcUrl(), "select string_agg(id::text, ',' order by id) from lease");
    }
}
