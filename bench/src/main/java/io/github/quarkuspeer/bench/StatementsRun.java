package io.github.quarkuspeer.bench;

import io.github.quarkuspeer.testing.CountingDataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.github.quarkuspeer.bench.LocalCluster.Node;
import io.vertx.core.Vertx;

/**
 * Database load in steady state at the default 30 s interval: every node counts the statements it sends
 * ({@link CountingDataSource}), over a window after the nodes have settled, by role. Meanwhile a thread keeps
 * calling {@code isLeader()} (and {@code getLeader()} on the extension's nodes), to show that reads send nothing:
 * the statements counted on the connections equal the rounds counted in the store.
 */
final class StatementsRun {

    static final Duration INTERVAL = Duration.ofSeconds(30);
    static final Duration WINDOW = Duration.ofMinutes(3);
    static final int INSTANCES = 10;
    static final int NODES = 3;

    private StatementsRun() {
    }

    /** A node's counters at the start of the window. */
    private record Start(boolean leader, long electedAt, long statements, long rounds) {
    }

    static void run(SharedDatabase database, Vertx vertx, Report report) throws InterruptedException {
        List<List<String>> rows = new ArrayList<>();
        Map<Schedule, Double> leaderRates = new HashMap<>();
        Map<Schedule, Double> followerRates = new HashMap<>();
        List<String> notes = new ArrayList<>();
        try (LocalCluster ours = new LocalCluster(database, Schedule.QUARKUS_PEER, vertx, "load", null, null);
                LocalCluster oban = new LocalCluster(database, Schedule.OBAN, vertx, "load", null, null)) {
            List<Node> all = new ArrayList<>();
            for (LocalCluster cluster : List.of(ours, oban)) {
                cluster.listen();
                for (int i = 0; i < INSTANCES; i++) {
                    for (int n = 1; n <= NODES; n++) {
                        all.add(cluster.add("load-" + i, "node-" + n, INTERVAL));
                    }
                }
            }
            LocalCluster.startSpread(all, INTERVAL);
            Thread.sleep(INTERVAL.toMillis());

            Map<Node, Start> start = new HashMap<>();
            all.forEach(n -> start.put(n, new Start(n.peer().isLeader(), n.peer().electedAt(),
                    n.connections().statements(), n.store().rounds())));
            LongAdder reads = new LongAdder();
            AtomicBoolean measuring = new AtomicBoolean(true);
            // A thousand passes a second: enough to show that reads send nothing, without taking a core.
            Thread caller = new Thread(() -> {
                while (measuring.get()) {
                    for (Node node : all) {
                        node.peer().isLeader();
                        if (node.peer() instanceof ExtensionPeer peer) {
                            peer.getLeader();
                        }
                    }
                    reads.add(all.size());
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-reader");
            caller.start();
            Thread.sleep(WINDOW.toMillis());
            measuring.set(false);
            caller.join();
            notes.add(String.format(Locale.ROOT, "isLeader() was called %,d times on these %d nodes during the "
                    + "window, and getLeader() as often on the Quarkus Peer nodes.", reads.sum(), all.size()));

            double minutes = WINDOW.toSeconds() / 60.0;
            for (LocalCluster cluster : List.of(ours, oban)) {
                Samples leaders = new Samples();
                Samples followers = new Samples();
                long extra = 0;
                int changed = 0;
                for (Node node : cluster.nodes()) {
                    Start before = start.get(node);
                    long statements = node.connections().statements() - before.statements();
                    extra += statements - (node.store().rounds() - before.rounds());
                    boolean steady = before.leader() == node.peer().isLeader()
                            && before.electedAt() == node.peer().electedAt();
                    if (!steady) {
                        changed++;
                    } else {
                        (before.leader() ? leaders : followers).add(statements);
                    }
                }
                Schedule schedule = cluster.schedule();
                leaderRates.put(schedule, leaders.mean() / minutes);
                followerRates.put(schedule, followers.mean() / minutes);
                rows.add(row(schedule.label, "leader", leaders, minutes));
                rows.add(row(schedule.label, "follower", followers, minutes));
                notes.add(String.format(Locale.ROOT, "%s: %d node(s) changed role in the window (left out); "
                        + "statements not made by a round: %d.", schedule.label, changed, extra));
            }
        }
        rows.add(List.of("ratio Quarkus Peer / Oban schedule", "leader",
                "", Report.ratio(leaderRates.get(Schedule.QUARKUS_PEER) / leaderRates.get(Schedule.OBAN)), ""));
        rows.add(List.of("ratio Quarkus Peer / Oban schedule", "follower",
                "", Report.ratio(followerRates.get(Schedule.QUARKUS_PEER) / followerRates.get(Schedule.OBAN)), ""));
        report.section("Statements per node per minute, steady state, " + INTERVAL.toSeconds() + " s interval, "
                + INSTANCES + " instances x " + NODES + " nodes per schedule, " + WINDOW.toMinutes()
                + " min window");
        report.table(List.of("schedule", "role", "nodes", "statements / node / min (mean)", "min - max"), rows);
        report.line("");
        notes.forEach(report::line);
    }

    private static List<String> row(String label, String role, Samples counts, double minutes) {
        return List.of(label, role, String.valueOf(counts.count()),
                String.format(Locale.ROOT, "%.2f", counts.mean() / minutes),
                String.format(Locale.ROOT, "%.2f - %.2f", counts.percentile(0) / minutes, counts.max() / minutes));
    }
}
