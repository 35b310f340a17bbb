package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.runtime.SchemaManagement;
import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;
import io.github.quarkuspeer.runtime.election.Timing;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * An election keeps going whatever its machinery does to it, and says so when it cannot lead: a worker pool that
 * refuses rounds, answers that always come too late; and the tables of a node are set up from all the instances that
 * share them.
 */
class ElectionLivenessTest {

    static final Duration SECOND = Duration.ofSeconds(1);

    TestDatabase database;
    Vertx vertx;

    @BeforeEach
    void open() throws SQLException {
        database = TestDatabase.h2();
        Schema.create(database.dataSource, database.dialect, Schema.DEFAULT_TABLE);
        vertx = Vertx.vertx();
    }

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
        database.close();
    }

    private DatabasePeers node(Election.Scheduling scheduling, UnaryOperator<LeaseStore> decorator) {
        return new DatabasePeers(new DatabasePeers.Options(() -> scheduling, Runnable::run, false, ClaimListener.NONE,
                decorator, Optional.empty()));
    }

    private DatabasePeers.Spec spec(String instance, Duration interval, Duration lease, String table,
            SchemaManagement schema) {
        return new DatabasePeers.Spec(instance, "node-a", true, Timing.of(interval, lease), "test",
                database.dataSource, database.dialect, table, schema);
    }

    @Test
    void anElectionWhoseRoundsThePoolRefusesRetriesAndLeadsOnceItAccepts() {
        VertxScheduling vertxScheduling = new VertxScheduling(vertx, vertx.getOrCreateContext());
        AtomicInteger refusals = new AtomicInteger(3);
        Election.Scheduling refusing = new Election.Scheduling() {
            @Override
            public long setTimer(long delayNanos, Runnable task) {
                return vertxScheduling.setTimer(delayNanos, task);
            }

            @Override
            public void cancelTimer(long handle) {
                vertxScheduling.cancelTimer(handle);
            }

            @Override
            public void runBlocking(Runnable task) {
                if (refusals.getAndDecrement() > 0) {
                    throw new RejectedExecutionException("the worker pool is saturated");
                }
                vertxScheduling.runBlocking(task);
            }
        };
        DatabasePeers node = node(refusing, UnaryOperator.identity());
        Election election = node.add(spec("refused", SECOND, SECOND, Schema.DEFAULT_TABLE, SchemaManagement.NONE),
                event -> {
                });
        node.start();
        // three rounds refused, and no timer left behind that would ever wake it: still it leads
        await().atMost(SECOND.multipliedBy(15)).until(election::isLeader);
        assertThat(refusals.get()).isNegative();
        node.stop();
    }

    @Test
    void answersThatAlwaysArriveAfterTheirDeadlineCountAsFailedRounds() {
        // every answer arrives a whole lease after its statement was sent
        UnaryOperator<LeaseStore> slow = store -> new LeaseStore() {
            @Override
            public Optional<Observation> acquireOrRenew(String instance, String node, String owner, Duration lease,
                    boolean continueTerm, Gate gate) throws Exception {
                Optional<Observation> seen = store.acquireOrRenew(instance, node, owner, lease, continueTerm, gate);
                Thread.sleep(lease.toMillis()); // the delay under test: an answer slower than its lease
                return seen;
            }

            @Override
            public Optional<Observation> read(String instance, Gate gate) throws Exception {
                return store.read(instance, gate);
            }

            @Override
            public boolean release(String instance, String owner) throws Exception {
                return store.release(instance, owner);
            }
        };
        DatabasePeers node = node(new VertxScheduling(vertx, vertx.getOrCreateContext()), slow);
        Election election = node.add(spec("late", SECOND, SECOND, Schema.DEFAULT_TABLE, SchemaManagement.NONE),
                event -> {
                });
        node.start();
        // never leads, and its health sees elections failing for longer than the lease
        await().atMost(SECOND.multipliedBy(15)).until(() -> election.failingForNanos() > SECOND.toNanos());
        assertThat(election.lastError()).contains("after the deadline");
        assertThat(election.isLeader()).isFalse();
        node.stop();
    }

    @Test
    void aTableSharedByInstancesTakesTheStatementTimeoutOfTheShortestLease() {
        DatabasePeers node = node(new VertxScheduling(vertx, vertx.getOrCreateContext()), UnaryOperator.identity());
        node.add(spec("slow", Duration.ofMinutes(1), Duration.ofMinutes(1), Schema.DEFAULT_TABLE,
                SchemaManagement.CREATE), event -> {
                });
        node.add(spec("fast", Duration.ofSeconds(3), Duration.ofSeconds(3), Schema.DEFAULT_TABLE,
                SchemaManagement.CREATE), event -> {
                });
        node.start();
        // half the shortest lease: 1.5 s, not the 10 s that the first instance alone would give
        assertThat(node.store("test", Schema.DEFAULT_TABLE).orElseThrow().clientTimeout())
                .isEqualTo(Duration.ofMillis(1_500));
        node.stop();
    }

    @Test
    void instancesSharingATableMustAgreeOnItsSchemaManagement() {
        DatabasePeers node = node(new VertxScheduling(vertx, vertx.getOrCreateContext()), UnaryOperator.identity());
        node.add(spec("billing", SECOND, SECOND, Schema.DEFAULT_TABLE, SchemaManagement.CREATE), event -> {
        });
        assertThatThrownBy(() -> node.add(spec("reports", SECOND, SECOND, Schema.DEFAULT_TABLE,
                SchemaManagement.VALIDATE), event -> {
                }))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("quarkus.peer.reports.schema-management=validate")
                .hasMessageContaining("quarkus.peer.billing.schema-management=create")
                .hasMessageContaining(Schema.DEFAULT_TABLE);
    }
}
