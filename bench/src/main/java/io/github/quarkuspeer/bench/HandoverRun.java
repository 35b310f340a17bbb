package io.github.quarkuspeer.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.quarkuspeer.bench.LocalCluster.Node;
import io.vertx.core.Vertx;

/**
 * Graceful handover at the default 30 s interval: three nodes lead one instance; the leader releases its lease as on
 * shutdown (delete and {@code NOTIFY} in one statement), and the time runs until another node leads. The released
 * node then comes back as a new process would, and the next handover follows. Both schedules take turns, so they
 * share whatever else the machine is doing.
 * <p>
 * The time starts as the release is called and stops when a follower publishes its win. Without the notification
 * neither schedule would look again for up to 30 s.
 */
final class HandoverRun {

    static final Duration INTERVAL = Duration.ofSeconds(30);
    static final int HANDOVERS = 100;
    /** Handovers run first and not counted, so that the figures are not those of code still being compiled. */
    static final int WARMUP = 5;
    static final int NODES = 3;
    private static final String INSTANCE = "handover";
    private static final Duration PATIENCE = Duration.ofSeconds(70);

    private HandoverRun() {
    }

    static void run(SharedDatabase database, Vertx vertx, Report report) throws InterruptedException {
        Map<Schedule, Samples> times = Map.of(Schedule.QUARKUS_PEER, new Samples(), Schedule.OBAN, new Samples());
        try (LocalCluster ours = new LocalCluster(database, Schedule.QUARKUS_PEER, vertx, "handover", null, null);
                LocalCluster oban = new LocalCluster(database, Schedule.OBAN, vertx, "handover", null, null)) {
            Map<LocalCluster, List<Node>> live = Map.of(ours, start(ours), oban, start(oban));
            for (int i = -WARMUP; i < HANDOVERS; i++) {
                for (LocalCluster cluster : i % 2 == 0 ? List.of(ours, oban) : List.of(oban, ours)) {
                    long took = handover(cluster, live.get(cluster), INTERVAL);
                    if (i >= 0) {
                        times.get(cluster.schedule()).add(took);
                    }
                    Thread.sleep(100);
                }
            }
        }
        report.section("Graceful handover, " + INTERVAL.toSeconds() + " s interval, " + NODES + " nodes, after "
                + WARMUP + " uncounted handovers per schedule");
        Samples peer = times.get(Schedule.QUARKUS_PEER);
        Samples base = times.get(Schedule.OBAN);
        List<List<String>> rows = new ArrayList<>();
        for (Schedule schedule : Schedule.values()) {
            Samples s = times.get(schedule);
            rows.add(List.of(schedule.label, String.valueOf(s.count()), Report.millis(s.percentile(50)),
                    Report.millis(s.percentile(99)), Report.millis(s.max())));
        }
        rows.add(List.of("ratio Quarkus Peer / Oban schedule", "", Report.ratio(
                (double) peer.percentile(50) / base.percentile(50)),
                Report.ratio((double) peer.percentile(99) / base.percentile(99)),
                Report.ratio((double) peer.max() / base.max())));
        report.table(List.of("schedule", "handovers", "p50", "p99", "max"), rows);
        report.line("");
        report.line("Target p99 < 1 s: %s.", peer.percentile(99) < 1_000_000_000L ? "met" : "MISSED");
    }

    private static List<Node> start(LocalCluster cluster) throws InterruptedException {
        return start(cluster, INTERVAL, true);
    }

    /**
     * Starts {@value #NODES} nodes of the handover instance; with {@code listen}, once the cluster's listener
     * listens.
     */
    static List<Node> start(LocalCluster cluster, Duration interval, boolean listen) throws InterruptedException {
        if (listen) {
            cluster.listen();
            cluster.awaitListening(Duration.ofSeconds(10));
        }
        List<Node> nodes = new ArrayList<>();
        for (int n = 1; n <= NODES; n++) {
            Node node = cluster.add(INSTANCE, "node-" + n, interval);
            node.peer().start();
            nodes.add(node);
        }
        return nodes;
    }

    /** Releases the leader, waits for another node to lead, and replaces the released node; returns the time. */
    static long handover(LocalCluster cluster, List<Node> live, Duration interval) throws InterruptedException {
        Node leader = awaitLeader(cluster, live);
        long released = System.nanoTime();
        leader.peer().release();
        live.remove(leader);
        long end = released + PATIENCE.toNanos();
        while (true) {
            for (Node node : live) {
                long elected = node.peer().electedAt();
                if (elected - released > 0) {
                    Node fresh = cluster.add(INSTANCE, leader.peer().node(), interval);
                    fresh.peer().start();
                    live.add(fresh);
                    return elected - released;
                }
            }
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException(cluster.schedule().label + ": no node led within " + PATIENCE
                        + " of a release");
            }
            Thread.sleep(1);
        }
    }

    private static Node awaitLeader(LocalCluster cluster, List<Node> live) throws InterruptedException {
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() - end < 0) {
            List<Node> leaders = live.stream().filter(n -> n.peer().isLeader()).toList();
            if (leaders.size() == 1) {
                return leaders.get(0);
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException(cluster.schedule().label + ": no single leader among " + live.size());
    }
}
