package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.database.Cluster.Node;
import io.github.quarkuspeer.runtime.database.Schema.InvalidSchemaException;
import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;

/**
 * The behaviour every database must show, run against a real server. Each database has a subclass that says how to
 * reach it; the test code is the same for all.
 * <p>
 * Bounds on time are generous (ten times the lease and more): they catch a peer that never acts, not a slow one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LeaseConformanceTest {

    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration LEASE = Duration.ofSeconds(1);
    static final Duration PATIENCE = Duration.ofSeconds(15);

    TestDatabase database;
    String table;
    Cluster cluster;
    String instance;

    abstract TestDatabase openDatabase();

    @BeforeAll
    void createTable() throws SQLException {
        database = openDatabase();
        table = "conformance_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        Schema.create(database.dataSource, database.dialect, table);
    }

    @AfterAll
    void dropTable() {
        if (database != null) {
            database.dropTable(table);
            database.close();
        }
    }

    @BeforeEach
    void startCluster(TestInfo test) {
        cluster = new Cluster(database, table);
        instance = test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void stopCluster() {
        try {
            assertThat(cluster.claimsOverlap(instance)).as("two nodes claimed %s at the same moment", instance)
                    .isFalse();
        } finally {
            cluster.close();
        }
    }

    Node node(String name) {
        return cluster.node(instance, name, INTERVAL, LEASE);
    }

    Node start(String name) {
        Node node = node(name);
        node.start();
        return node;
    }

    Node awaitOneLeader(String forInstance) {
        await().atMost(PATIENCE).until(() -> cluster.leaders(forInstance).size() == 1);
        return cluster.leaders(forInstance).get(0);
    }

    /** The lease row as the database holds it: owner and token, or empty. */
    Optional<String[]> row(String name) {
        try (Connection connection = database.dataSource.getConnection();
                PreparedStatement statement = connection
                        .prepareStatement("SELECT owner, fencing_token, node FROM " + table + " WHERE name = ?")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next()
                        ? Optional.of(new String[] { rows.getString(1), rows.getString(2), rows.getString(3) })
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aLoneNodeLeadsAndGetLeaderNamesIt() {
        Node a = start("node-a");
        await().atMost(PATIENCE).until(a.election::isLeader);
        assertThat(a.election.getLeader()).contains("node-a");
        assertThat(a.election.fencingToken()).isPresent();
        assertThat(row(instance)).hasValueSatisfying(r -> {
            assertThat(r[0]).isEqualTo(a.election.owner());
            assertThat(Long.parseLong(r[1])).isEqualTo(a.election.fencingToken().getAsLong());
        });
        assertThat(a.reasons()).containsExactly(Reason.ELECTED);
    }

    @Test
    void fiveCompetingPeersElectExactlyOneLeader() {
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            nodes.add(start("node-" + i));
        }
        Node leader = awaitOneLeader(instance);
        // across several renewals and follower checks, never a second leader and never a change of leader
        await().during(Duration.ofMillis(3_000)).atMost(PATIENCE)
                .until(() -> cluster.leaders(instance).equals(List.of(leader)));
        for (Node other : nodes) {
            if (other != leader) {
                assertThat(other.election.getLeader()).contains(leader.election.node());
                assertThat(other.events).isEmpty();
            }
        }
    }

    @Test
    void aFollowerThatKnowsOfALiveLeaseOnlyReadsIt() {
        // a 3 s lease: the leader renews every 1.5 s, so a renewal late by a busy machine still lands long before
        // the follower looks again, 1% of the lease before the lease it saw would expire
        Duration lease = Duration.ofSeconds(3);
        Node a = cluster.node(instance, "node-a", lease, lease);
        a.start();
        await().atMost(PATIENCE).until(a.election::isLeader);
        Node b = cluster.node(instance, "node-b", lease, lease);
        b.start();
        await().atMost(PATIENCE).until(() -> b.election.getLeader().isPresent());
        int acquires = b.store.acquireCalls.get();
        await().atMost(PATIENCE.multipliedBy(2)).until(() -> b.store.readCalls.get() >= 3);
        // the leader renews throughout, so the follower never needs to try: it takes no lock and writes nothing
        assertThat(b.store.acquireCalls.get()).isEqualTo(acquires);
        assertThat(b.election.getLeader()).contains("node-a");
        assertThat(a.election.isLeader()).isTrue();
    }

    @Test
    void twoInstancesElectIndependently() {
        String other = instance + "-other";
        Node aFirst = start("node-a");
        Node aOther = cluster.node(other, "node-a", INTERVAL, LEASE);
        aOther.start();
        await().atMost(PATIENCE).until(() -> aFirst.election.isLeader() && aOther.election.isLeader());
        Node bFirst = start("node-b");
        Node bOther = cluster.node(other, "node-b", INTERVAL, LEASE);
        bOther.start();
        // node-a gives up one instance only: node-b takes it, node-a keeps the other
        aFirst.release();
        await().atMost(PATIENCE).until(bFirst.election::isLeader);
        assertThat(aOther.election.isLeader()).isTrue();
        assertThat(bOther.election.isLeader()).isFalse();
        assertThat(row(other)).hasValueSatisfying(r -> assertThat(r[0]).isEqualTo(aOther.election.owner()));
    }

    @Test
    void aFollowerTakesOverOnceTheLeaseExpires() {
        Node a = start("node-a");
        await().atMost(PATIENCE).until(a.election::isLeader);
        Node b = start("node-b");
        await().atMost(PATIENCE).until(() -> b.election.getLeader().isPresent());
        long deadline = a.election.leadership().deadline();
        long tokenA = a.election.fencingToken().getAsLong();
        a.store.crash();
        await().atMost(PATIENCE).until(b.election::isLeader);
        long elected = b.events.get(0).nanos();
        // b's term began only after a's last deadline; a stopped leading by itself at that deadline
        assertThat(a.election.isLeader()).isFalse();
        assertThat(elected - a.election.leadership().deadline()).isPositive();
        assertThat(a.reasons()).containsExactly(Reason.ELECTED, Reason.LOST);
        assertThat(a.events.get(1).nanos() - deadline).isGreaterThanOrEqualTo(0);
        assertThat(b.election.fencingToken().getAsLong()).isGreaterThan(tokenA);
        assertThat(b.claims.get(0).from - a.claims.get(0).until).isPositive();
    }

    @Test
    void aLeaderWhoseRowWasTakenByAnotherOwnerLosesAtItsNextRound() {
        Node a = start("node-a");
        await().atMost(PATIENCE).until(a.election::isLeader);
        database.execute("UPDATE " + table + " SET owner = 'intruder', node = 'node-x', fencing_token = fencing_token + 1"
                + " WHERE name = '" + instance + "'");
        await().atMost(PATIENCE).until(() -> !a.election.isLeader());
        assertThat(a.reasons()).containsExactly(Reason.ELECTED, Reason.LOST);
        assertThat(a.election.getLeader()).contains("node-x");
        assertThat(row(instance)).hasValueSatisfying(r -> assertThat(r[0]).isEqualTo("intruder"));
    }

    @Test
    void twoPeersWithTheSameNodeNameNeverBothLead() {
        Node first = start("same-name");
        Node second = start("same-name");
        Node leader = awaitOneLeader(instance);
        await().during(Duration.ofMillis(2_500)).atMost(PATIENCE)
                .until(() -> cluster.leaders(instance).equals(List.of(leader)));
        assertThat(first.election.owner()).isNotEqualTo(second.election.owner());
        assertThat(row(instance)).hasValueSatisfying(r -> assertThat(r[0]).isEqualTo(leader.election.owner()));
    }

    @Test
    void theFencingTokenStaysOnRenewalAndIncreasesOnEveryChangeOfLeader() {
        Node a = start("node-a");
        await().atMost(PATIENCE).until(a.election::isLeader);
        long first = a.election.fencingToken().getAsLong();
        int rounds = a.store.completedRounds.get();
        await().atMost(PATIENCE).until(() -> a.store.completedRounds.get() >= rounds + 3);
        assertThat(a.election.fencingToken()).hasValue(first);

        // graceful release: the row is deleted, the token must still grow
        Node b = start("node-b");
        await().atMost(PATIENCE).until(() -> b.election.getLeader().isPresent());
        a.release();
        await().atMost(PATIENCE).until(b.election::isLeader);
        long second = b.election.fencingToken().getAsLong();
        assertThat(second).isGreaterThan(first);

        // crash: the lease expires and is taken over
        Node c = start("node-c");
        await().atMost(PATIENCE).until(() -> c.election.getLeader().isPresent());
        b.store.crash();
        await().atMost(PATIENCE).until(c.election::isLeader);
        long third = c.election.fencingToken().getAsLong();
        assertThat(third).isGreaterThan(second);
        assertThat(a.events.get(0).event().fencingToken()).isEqualTo(first);
        assertThat(b.events.get(0).event().fencingToken()).isEqualTo(second);
    }

    @Test
    void aLeaderWhoseRoundsStopReportsFalseOnceItsDeadlinePassesWithNoRoundHavingRun() {
        Node a = start("node-a");
        await().atMost(PATIENCE).until(a.election::isLeader);
        a.store.block();
        int completed = a.store.completedRounds.get();
        await().atMost(PATIENCE).until(() -> !a.election.isLeader());
        assertThat(a.store.completedRounds.get()).isEqualTo(completed);
        await().atMost(PATIENCE).until(() -> a.reasons().contains(Reason.LOST));
        assertThat(a.election.fencingToken()).isEmpty();
        assertThat(a.election.getLeader()).isEmpty();
        a.store.unblock();
    }

    @Test
    void aNodeThatIsNotACandidateObservesTheLeaderButNeverLeads() {
        Node watcher = cluster.node(instance, "watcher", INTERVAL, LEASE, false);
        watcher.start();
        Node a = start("node-a");
        await().atMost(PATIENCE).until(() -> watcher.election.getLeader().equals(Optional.of("node-a")));
        a.release();
        await().during(Duration.ofMillis(2_500)).atMost(PATIENCE).until(() -> !watcher.election.isLeader());
        assertThat(row(instance)).isEmpty();
        assertThat(watcher.events).isEmpty();
    }

    @Test
    void aReleasedLeaseIsTakenAtTheFollowersNextCheckEvenWithoutANotification() {
        // no listener here: the follower learns of the release only by looking
        Node a = start("node-a");
        await().atMost(PATIENCE).until(a.election::isLeader);
        Node b = start("node-b");
        await().atMost(PATIENCE).until(() -> b.election.getLeader().isPresent());
        a.release();
        int begunByRelease = b.store.startedRounds.get();
        await().atMost(PATIENCE).until(b.election::isLeader);
        // the first round after the release takes it (or one in flight meanwhile): no extra round, no lost one
        assertThat(b.store.firstWonRound).isBetween(1, begunByRelease + 1);
        assertThat(b.election.fencingToken().getAsLong()).isGreaterThan(a.events.get(0).event().fencingToken());
    }

    @Test
    void roundsRacingForAFreeLeaseAllSucceedAndAgreeOnOneOwner() throws Exception {
        int racers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int attempt = 0; attempt < 10; attempt++) {
                String contested = instance + "-" + attempt;
                CyclicBarrier together = new CyclicBarrier(racers);
                List<Future<Optional<Observation>>> rounds = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    String owner = "racer-" + i;
                    rounds.add(pool.submit(() -> {
                        together.await();
                        return cluster.store.acquireOrRenew(contested, owner, owner, Duration.ofSeconds(30), false,
                                io.github.quarkuspeer.runtime.election.LeaseStore.Gate.OPEN);
                    }));
                }
                Set<String> seenOwners = new HashSet<>();
                for (Future<Optional<Observation>> round : rounds) {
                    // losing the race is an answer, never an exception
                    round.get(30, TimeUnit.SECONDS).ifPresent(seen -> seenOwners.add(seen.owner()));
                }
                String holder = row(contested).orElseThrow()[0];
                assertThat(seenOwners).as("owners seen by the racers for %s", contested).containsExactly(holder);
                database.execute("DELETE FROM " + table + " WHERE name = '" + contested + "'");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWriteWhoseAnswerWasLostIsRenewedBeforeItIsLedOnNotMerelyReadBack() {
        // a lease longer than the first retry's backoff (1 s), so that the retry finds the row still live
        Duration lease = Duration.ofSeconds(4);
        Node b = cluster.node(instance, "node-b", lease, lease);
        b.start();
        await().atMost(PATIENCE).until(b.election::isLeader);
        Node a = cluster.node(instance, "node-a", lease, lease);
        a.start();
        await().atMost(PATIENCE).until(() -> a.election.getLeader().equals(Optional.of("node-b")));
        // a looks once more: it has just seen b's lease, which still runs for at least half a lease
        int reads = a.store.readCalls.get();
        a.election.wake(false);
        await().atMost(PATIENCE).until(() -> a.store.readCalls.get() > reads);

        // b leaves; a hears of it (as from a notification) and takes the lease, but the answer is lost after the
        // commit. a still believes b's lease runs, so its retry only looks, and finds a's own row.
        a.store.loseReplies(1);
        b.release();
        a.election.wake(true);
        await().atMost(PATIENCE).until(() -> a.store.lostReplies.get() == 1);
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5)).until(a.election::isLeader);
        // then a is cut off before it renews: its claim must end before its row expires and another node takes over
        a.store.block();
        Node c = cluster.node(instance, "node-c", lease, lease);
        c.start();
        await().atMost(PATIENCE).until(c.election::isLeader);
        assertThat(a.election.isLeader()).isFalse();
        assertThat(cluster.claimsOverlap(instance)).as("a's claim and c's overlap").isFalse();
        a.store.unblock();
    }

    @Test
    void aWriteNeverPullsTheCallersOwnLeaseBack() throws Exception {
        Duration lease = Duration.ofSeconds(10);
        assertThat(cluster.store.acquireOrRenew(instance, "node-a", "owner-a", lease, false, LeaseStore.Gate.OPEN))
                .hasValueSatisfying(seen -> assertThat(seen.written()).isTrue());
        // a renewal of the same owner that began later committed first: the lease now runs an hour
        database.extendExpiryByAnHour(table, instance);
        // this renewal's own "now" plus the lease is earlier than that: the row keeps the later expiry
        Optional<Observation> renewed = cluster.store.acquireOrRenew(instance, "node-a", "owner-a", lease, true,
                LeaseStore.Gate.OPEN);
        assertThat(renewed).hasValueSatisfying(seen -> {
            assertThat(seen.written()).isTrue();
            assertThat(Duration.ofNanos(seen.remainingNanos())).isGreaterThan(Duration.ofMinutes(50));
        });
        // another owner still takes over only once that later expiry has passed
        assertThat(cluster.store.acquireOrRenew(instance, "node-b", "owner-b", lease, false, LeaseStore.Gate.OPEN))
                .hasValueSatisfying(seen -> assertThat(seen.owner()).isEqualTo("owner-a"));
    }

    @Test
    void aReadNeverCountsAsAWriteOfTheLease() throws Exception {
        cluster.store.acquireOrRenew(instance, "node-a", "owner-a", Duration.ofSeconds(30), false,
                LeaseStore.Gate.OPEN);
        assertThat(cluster.store.read(instance, LeaseStore.Gate.OPEN))
                .hasValueSatisfying(seen -> {
                    assertThat(seen.owner()).isEqualTo("owner-a");
                    assertThat(seen.written()).isFalse();
                });
        // and nothing is sent through a closed gate
        assertThatThrownBy(() -> cluster.store.read(instance, () -> false)).isInstanceOf(LeaseStore.Refused.class);
        assertThatThrownBy(() -> cluster.store.acquireOrRenew(instance, "node-b", "owner-b", Duration.ofSeconds(30),
                false, () -> false)).isInstanceOf(LeaseStore.Refused.class);
    }

    @Test
    void instanceNamesAreComparedExactlyAndMayHold255CharactersOfAnyUnicode() {
        List<String> names = List.of(instance + "-billing", instance + "-Billing", instance + "-billing ",
                "\uD83D\uDE00".repeat(255));
        List<Node> nodes = new ArrayList<>();
        for (String name : names) {
            Node node = cluster.node(name, "node-" + nodes.size(), INTERVAL, LEASE);
            node.start();
            nodes.add(node);
        }
        // four instances, so four leaders: none of the names is taken for another
        await().atMost(PATIENCE).until(() -> nodes.stream().allMatch(n -> n.election.isLeader()));
        for (int i = 0; i < names.size(); i++) {
            String owner = nodes.get(i).election.owner();
            assertThat(row(names.get(i))).hasValueSatisfying(r -> assertThat(r[0]).isEqualTo(owner));
        }
    }

    @Test
    void severalNodesCreatingTheTableAtOnceAllSucceed() throws Exception {
        String fresh = table + "_created";
        int nodes = 6;
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            CyclicBarrier together = new CyclicBarrier(nodes);
            List<Future<Void>> creations = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                creations.add(pool.submit(() -> {
                    together.await();
                    Schema.create(database.dataSource, database.dialect, fresh);
                    return null;
                }));
            }
            for (Future<Void> creation : creations) {
                creation.get(60, TimeUnit.SECONDS);
            }
            Schema.validate(database.dataSource, database.dialect, fresh);
        } finally {
            pool.shutdownNow();
            database.dropTable(fresh);
        }
    }

    @Test
    void validateNamesTheTableAndWhatIsWrongWithIt() throws SQLException {
        String missing = table + "_missing";
        assertThatThrownBy(() -> Schema.validate(database.dataSource, database.dialect, missing))
                .isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("table '" + missing + "'")
                .hasMessageContaining("does not exist")
                .hasMessageContaining(database.dialect.ddlResource());

        String broken = table + "_broken";
        try {
            Schema.create(database.dataSource, database.dialect, broken);
            Schema.validate(database.dataSource, database.dialect, broken);
            database.execute("ALTER TABLE " + broken + " DROP COLUMN started_at");
            database.execute("DROP SEQUENCE " + Dialect.sequenceOf(broken));
            assertThatThrownBy(() -> Schema.validate(database.dataSource, database.dialect, broken))
                    .isInstanceOf(InvalidSchemaException.class)
                    .hasMessageContaining("table '" + broken + "'")
                    .hasMessageContaining("column 'started_at' is missing")
                    .hasMessageContaining("sequence '" + Dialect.sequenceOf(broken) + "' is missing");
        } finally {
            database.dropTable(broken);
        }
    }
}
