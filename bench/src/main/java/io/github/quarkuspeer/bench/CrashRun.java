package io.github.quarkuspeer.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.quarkuspeer.bench.LocalCluster.Node;
import io.vertx.core.Vertx;

/**
 * Crash failover: for each lease, many instances of three nodes each, per schedule, all at once. Once the nodes have
 * run for a lease, each instance's leader is cut off right after its next renewal (see {@link BenchStore}): it stops
 * renewing without releasing, as after {@code kill -9}, with its whole lease still to run, the worst moment. The
 * failover time runs from the moment that last renewal was sent until another node publishes its win, and is given
 * as a multiple of the lease.
 */
final class CrashRun {

    static final List<Duration> LEASES = List.of(Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(30));
    static final int INSTANCES = 20;
    static final int NODES = 3;
    static final double TARGET = 1.1;

    private CrashRun() {
    }

    static void run(SharedDatabase database, Vertx vertx, Report report) throws InterruptedException {
        List<List<String>> rows = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        for (Duration lease : LEASES) {
            Samples ours;
            Samples oban;
            try (LocalCluster peerCluster = new LocalCluster(database, Schedule.QUARKUS_PEER, vertx, "crash", null,
                    null);
                    LocalCluster obanCluster = new LocalCluster(database, Schedule.OBAN, vertx, "crash", null,
                            null)) {
                List<LocalCluster> clusters = List.of(peerCluster, obanCluster);
                List<Node> all = new ArrayList<>();
                for (LocalCluster cluster : clusters) {
                    cluster.listen();
                    for (int i = 0; i < INSTANCES; i++) {
                        for (int n = 1; n <= NODES; n++) {
                            all.add(cluster.add("crash-" + i, "node-" + n, lease));
                        }
                    }
                }
                LocalCluster.startSpread(all, lease);
                Thread.sleep(lease.toMillis());
                List<Crash> crashes = new ArrayList<>();
                for (LocalCluster cluster : clusters) {
                    for (int i = 0; i < INSTANCES; i++) {
                        crashes.add(crash(cluster, "crash-" + i, lease));
                    }
                }
                ours = new Samples();
                oban = new Samples();
                long patience = System.nanoTime() + lease.multipliedBy(3).plusSeconds(10).toNanos();
                for (Crash crash : crashes) {
                    long took = crash.awaitFailover(patience);
                    (crash.cluster.schedule() == Schedule.QUARKUS_PEER ? ours : oban).add(took);
                }
            }
            rows.add(row(lease, Schedule.QUARKUS_PEER.label, ours));
            rows.add(row(lease, Schedule.OBAN.label, oban));
            rows.add(List.of(lease.toSeconds() + " s", "ratio Quarkus Peer / Oban schedule", "",
                    Report.ratio((double) ours.percentile(50) / oban.percentile(50)),
                    Report.ratio((double) ours.percentile(99) / oban.percentile(99)),
                    Report.ratio((double) ours.max() / oban.max()), ""));
            if (ours.max() > TARGET * lease.toNanos()) {
                missed.add(lease.toSeconds() + " s");
            }
        }
        report.section("Crash failover (leader cut off right after a renewal), " + INSTANCES + " instances x "
                + NODES + " nodes per lease and schedule");
        report.table(List.of("lease", "schedule", "crashes", "p50 x lease", "p99 x lease", "max x lease",
                "p50 / max seconds"), rows);
        report.line("");
        report.line("Target <= %.1f x lease for every crash: %s.", TARGET,
                missed.isEmpty() ? "met" : "MISSED for " + missed);
    }

    static List<String> row(Duration lease, String label, Samples s) {
        double l = lease.toNanos();
        return List.of(lease.toSeconds() + " s", label, String.valueOf(s.count()), Report.ratio(s.percentile(50) / l),
                Report.ratio(s.percentile(99) / l), Report.ratio(s.max() / l),
                String.format(Locale.ROOT, "%.2f / %.2f s", s.percentile(50) / 1e9, s.max() / 1e9));
    }

    /** Arms the crash of the instance's leader, once it has exactly one (waiting up to a lease for it). */
    static Crash crash(LocalCluster cluster, String instance, Duration lease) throws InterruptedException {
        long end = System.nanoTime() + lease.toNanos();
        List<Node> leaders = cluster.leaders(instance);
        while (leaders.size() != 1) {
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException(cluster.schedule().label + ": " + leaders.size() + " leaders of "
                        + instance + " before the crash");
            }
            Thread.sleep(5);
            leaders = cluster.leaders(instance);
        }
        Node leader = leaders.get(0);
        leader.store().crashAfterNextRenewal();
        List<Node> others = cluster.nodes().stream()
                .filter(n -> n != leader && n.peer().instance().equals(instance)).toList();
        return new Crash(cluster, instance, leader, others);
    }

    /** An instance whose leader is to crash, and the nodes that may take over. */
    record Crash(LocalCluster cluster, String instance, Node leader, List<Node> others) {

        /** Waits until another node leads after the crash; returns the time since the last renewal was sent. */
        long awaitFailover(long patienceEnd) throws InterruptedException {
            while (System.nanoTime() - patienceEnd < 0) {
                if (leader.store().crashed()) {
                    long lastRenewal = leader.store().lastRenewalSentAt();
                    for (Node other : others) {
                        long elected = other.peer().electedAt();
                        if (elected - lastRenewal > 0) {
                            return elected - lastRenewal;
                        }
                    }
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException(cluster.schedule().label + ": no failover of " + instance);
        }
    }
}
