package io.github.quarkuspeer.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.github.quarkuspeer.bench.LocalCluster.Node;
import io.github.quarkuspeer.testing.PrivatePgBouncer;
import io.github.quarkuspeer.testing.PrivatePgBouncer.PoolMode;
import io.vertx.core.Vertx;

/**
 * Handover and crash failover with every round going through PgBouncer in transaction mode, beside the same on the
 * direct connection, in the same run, each pair taking turns or running at once so that they share whatever else the
 * machine does. The PgBouncer is the run's own ({@link PrivatePgBouncer}: Debian's package, installed if missing),
 * in front of the shared server, and the driver runs with its default settings.
 * <ul>
 * <li>Graceful handover at the default 30 s interval: the releases go through PgBouncer, and the nodes hear them on a
 * direct connection, as with {@code quarkus.peer.notify-datasource}.</li>
 * <li>Graceful handover without a direct connection: {@code LISTEN} through PgBouncer hears nothing, so a release is
 * found at the followers' next check; beside it, the direct connection with no notifications at all, which is the
 * same schedule. Each release comes at a random moment within an interval after the handover before it. A 5 s
 * interval keeps the run short; the figures are in leases.</li>
 * <li>Crash failover with a 2 s lease, as {@link CrashRun} measures it.</li>
 * </ul>
 */
final class PoolerRun {

    static final Duration INTERVAL = Duration.ofSeconds(30);
    static final int HANDOVERS = 50;
    static final Duration SCHEDULE_INTERVAL = Duration.ofSeconds(5);
    static final int SCHEDULE_HANDOVERS = 20;
    static final Duration CRASH_LEASE = Duration.ofSeconds(2);
    static final int CRASH_INSTANCES = 20;
    /** A server connection per client connection at most, well within PgBouncer's pool of 20. */
    private static final int POOLED_CONNECTIONS = 10;

    private PoolerRun() {
    }

    static void run(SharedDatabase direct, Vertx vertx, Report report) throws InterruptedException {
        URI server = URI.create(direct.url.substring("jdbc:".length()));
        try (PrivatePgBouncer bouncer = PrivatePgBouncer.start(server.getHost(), server.getPort(),
                PoolMode.TRANSACTION);
                SharedDatabase pooled = new SharedDatabase("jdbc:postgresql://127.0.0.1:" + bouncer.port()
                        + server.getPath(), POOLED_CONNECTIONS)) {
            String version = PrivatePgBouncer.version();
            handover(direct, pooled, vertx, report, version);
            handoverWithoutNotifications(direct, pooled, vertx, report);
            crash(direct, pooled, vertx, report);
        }
    }

    private static void handover(SharedDatabase direct, SharedDatabase pooled, Vertx vertx, Report report,
            String version) throws InterruptedException {
        Map<String, Samples> times;
        try (LocalCluster straight = new LocalCluster(direct, direct.pool, direct.pool, Schedule.QUARKUS_PEER, vertx,
                "pooler_direct", null, null);
                LocalCluster bounced = new LocalCluster(direct, pooled.pool, direct.pool, Schedule.QUARKUS_PEER,
                        vertx, "pooler_bouncer", null, null)) {
            times = turns(straight, "direct", true, bounced, "PgBouncer, LISTEN on a direct connection", INTERVAL,
                    HandoverRun.WARMUP, HANDOVERS, false);
        }
        report.section("Graceful handover through PgBouncer (" + version + ", pool_mode=transaction) and direct, "
                + INTERVAL.toSeconds() + " s interval, " + HandoverRun.NODES + " nodes, after " + HandoverRun.WARMUP
                + " uncounted handovers per path");
        List<List<String>> rows = new ArrayList<>();
        times.forEach((label, s) -> rows.add(List.of(label, String.valueOf(s.count()),
                Report.millis(s.percentile(50)), Report.millis(s.percentile(99)), Report.millis(s.max()))));
        report.table(List.of("rounds and releases", "handovers", "p50", "p99", "max"), rows);
    }

    private static void handoverWithoutNotifications(SharedDatabase direct, SharedDatabase pooled, Vertx vertx,
            Report report) throws InterruptedException {
        Map<String, Samples> times;
        try (LocalCluster straight = new LocalCluster(direct, direct.pool, direct.pool, Schedule.QUARKUS_PEER, vertx,
                "pooler_direct", null, null);
                LocalCluster bounced = new LocalCluster(direct, pooled.pool, pooled.pool, Schedule.QUARKUS_PEER,
                        vertx, "pooler_bouncer", null, null)) {
            times = turns(straight, "direct, no notifications", false, bounced,
                    "PgBouncer, LISTEN through it (hears nothing)", SCHEDULE_INTERVAL, 1, SCHEDULE_HANDOVERS, true);
        }
        report.section("Graceful handover found on the followers' schedule, " + SCHEDULE_INTERVAL.toSeconds()
                + " s interval and lease, " + HandoverRun.NODES + " nodes, after 1 uncounted handover per path");
        double lease = SCHEDULE_INTERVAL.toNanos();
        List<List<String>> rows = new ArrayList<>();
        times.forEach((label, s) -> rows.add(List.of(label, String.valueOf(s.count()), Report.ratio(s.mean() / lease),
                Report.ratio(s.percentile(50) / lease), Report.ratio(s.max() / lease),
                String.format(Locale.ROOT, "%.2f / %.2f s", s.mean() / 1e9, s.max() / 1e9))));
        report.table(List.of("rounds and releases", "handovers", "mean x lease", "p50 x lease", "max x lease",
                "mean / max seconds"), rows);
    }

    /**
     * Starts the handover nodes of both clusters (the direct one listening if {@code listenDirect}, the PgBouncer one
     * always), then hands over in each in turn, alternating which goes first; the first {@code warmup} are not
     * counted.
     *
     * @param randomStart whether each release waits a random part of the interval first: a release found on the
     *        followers' schedule waits for their next look, which right after a handover is a whole lease away, so
     *        releases that came at once after the previous handover would all be found a lease later
     * @return the handover times by label, the direct cluster's first
     */
    private static Map<String, Samples> turns(LocalCluster straight, String straightLabel, boolean listenDirect,
            LocalCluster bounced, String bouncedLabel, Duration interval, int warmup, int count, boolean randomStart)
            throws InterruptedException {
        Map<LocalCluster, List<Node>> live = Map.of(straight, HandoverRun.start(straight, interval, listenDirect),
                bounced, HandoverRun.start(bounced, interval, true));
        Map<String, Samples> times = new LinkedHashMap<>();
        times.put(straightLabel, new Samples());
        times.put(bouncedLabel, new Samples());
        for (int i = -warmup; i < count; i++) {
            for (LocalCluster cluster : i % 2 == 0 ? List.of(straight, bounced) : List.of(bounced, straight)) {
                if (randomStart) {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(interval.toMillis()));
                }
                long took = HandoverRun.handover(cluster, live.get(cluster), interval);
                if (i >= 0) {
                    times.get(cluster == straight ? straightLabel : bouncedLabel).add(took);
                }
                Thread.sleep(100);
            }
        }
        return times;
    }

    private static void crash(SharedDatabase direct, SharedDatabase pooled, Vertx vertx, Report report)
            throws InterruptedException {
        Map<String, Samples> times = new LinkedHashMap<>();
        try (LocalCluster straight = new LocalCluster(direct, direct.pool, direct.pool, Schedule.QUARKUS_PEER, vertx,
                "pooler_crash_direct", null, null);
                LocalCluster bounced = new LocalCluster(direct, pooled.pool, direct.pool, Schedule.QUARKUS_PEER,
                        vertx, "pooler_crash_bouncer", null, null)) {
            Map<LocalCluster, String> labels = Map.of(straight, "direct", bounced, "PgBouncer");
            List<LocalCluster> clusters = List.of(straight, bounced);
            List<Node> all = new ArrayList<>();
            for (LocalCluster cluster : clusters) {
                cluster.listen();
                for (int i = 0; i < CRASH_INSTANCES; i++) {
                    for (int n = 1; n <= CrashRun.NODES; n++) {
                        all.add(cluster.add("crash-" + i, "node-" + n, CRASH_LEASE));
                    }
                }
            }
            LocalCluster.startSpread(all, CRASH_LEASE);
            Thread.sleep(CRASH_LEASE.toMillis());
            List<CrashRun.Crash> crashes = new ArrayList<>();
            for (LocalCluster cluster : clusters) {
                times.put(labels.get(cluster), new Samples());
                for (int i = 0; i < CRASH_INSTANCES; i++) {
                    crashes.add(CrashRun.crash(cluster, "crash-" + i, CRASH_LEASE));
                }
            }
            long patience = System.nanoTime() + CRASH_LEASE.multipliedBy(3).plusSeconds(10).toNanos();
            for (CrashRun.Crash crash : crashes) {
                times.get(labels.get(crash.cluster())).add(crash.awaitFailover(patience));
            }
        }
        report.section("Crash failover through PgBouncer (pool_mode=transaction) and direct, at once, "
                + CRASH_INSTANCES + " instances x " + CrashRun.NODES + " nodes each, leader cut off right after a "
                + "renewal");
        List<List<String>> rows = new ArrayList<>();
        times.forEach((label, s) -> rows.add(CrashRun.row(CRASH_LEASE, label, s)));
        report.table(List.of("lease", "rounds", "crashes", "p50 x lease", "p99 x lease", "max x lease",
                "p50 / max seconds"), rows);
    }
}
