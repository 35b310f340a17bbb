package io.github.quarkuspeer.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.agroal.api.AgroalDataSourceMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Scale: 200 nodes x 10 instances on one PostgreSQL at a 1 s interval, for each schedule in turn, in one JVM.
 * Measured over a window after a warm-up: the time of each round's statement (connection from the pool, statement,
 * answer), how long rounds waited for a worker thread, the statements per second, the sessions waiting on a lock and
 * the WAL written per statement (from the server), and the number of nodes that say they lead each instance, sampled
 * every 10 ms.
 *
 * <h2>Sizing</h2>
 * 200 processes with a pool each would need far more connections than the server allows (100 here, shared with other
 * work), as they would in production without a pooler. The simulated nodes therefore share one pool, as behind a
 * pooler: {@value #CONNECTIONS} connections for rounds, sized by Little's law (about 2,000 to 2,800 rounds/s of about
 * 1 ms each keep 2 to 3 busy on average; 20 leaves room for bursts and is Quarkus' default pool size), plus the
 * {@code LISTEN} connection and the sampler's. The Vert.x worker pool has {@value #CONNECTIONS} threads, so a round
 * that has a thread never waits long for a connection; the wait for a thread is reported apart, since it is partly
 * an artefact of 2,000 elections sharing one JVM, where in production each node has its own 20 workers for its 10
 * instances.
 */
final class ScaleRun {

    static final int NODES = 200;
    static final int INSTANCES = 10;
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration WARMUP = Duration.ofSeconds(15);
    static final Duration WINDOW = Duration.ofSeconds(60);
    static final int CONNECTIONS = 20;
    static final long SAMPLE_EVERY_MILLIS = 10;
    static final long TARGET_P99_NANOS = 50_000_000;

    private ScaleRun() {
    }

    /** What the sampler saw during the window: leaders of each instance, and the server. */
    private static final class Seen {
        long instanceSamples;
        int mostLeaders;
        long withTwoOrMore;
        long withNone;
        long serverSamples;
        long waitingOnLocks;
        int mostWaitingOnLocks;
    }

    static void run(Report report) throws InterruptedException {
        List<List<String>> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Samples ourRounds = null;
        Samples obanRounds = null;
        for (Schedule schedule : Schedule.values()) {
            Samples rounds = new Samples();
            Samples queue = new Samples();
            String loadBefore = Report.loadAverage();
            Seen seen;
            long statements;
            long walBytes;
            // the elections' connections, the LISTEN connection and the sampler's
            try (SharedDatabase database = new SharedDatabase(CONNECTIONS + 2)) {
                Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(CONNECTIONS));
                try (LocalCluster cluster = new LocalCluster(database, schedule, vertx, "scale", rounds, queue)) {
                    cluster.listen();
                    List<List<BenchPeer>> byInstance = new ArrayList<>();
                    for (int i = 0; i < INSTANCES; i++) {
                        List<BenchPeer> peers = new ArrayList<>();
                        for (int n = 1; n <= NODES; n++) {
                            peers.add(cluster.add("scale-" + i, "node-" + n, INTERVAL).peer());
                        }
                        byInstance.add(peers);
                    }
                    LocalCluster.startSpread(cluster.nodes(), INTERVAL);
                    Thread.sleep(WARMUP.toMillis());

                    rounds.clear();
                    queue.clear();
                    long windowStart = System.nanoTime();
                    long statementsBefore = statements(cluster);
                    long walBefore = database.sample().walBytes();
                    seen = sample(byInstance, database, windowStart + WINDOW.toNanos());
                    rounds.stop();
                    queue.stop();
                    statements = statements(cluster) - statementsBefore;
                    walBytes = database.sample().walBytes() - walBefore;
                    long elections = cluster.nodes().stream()
                            .filter(n -> n.peer().electedAt() - windowStart > 0).count();
                    AgroalDataSourceMetrics pool = database.pool.getMetrics();
                    notes.add(String.format(Locale.ROOT, "%s: at most %d of the pool's %d connections in use, "
                            + "longest wait for one %d ms; leadership changes in the window: %d; load average %s "
                            + "before the phase, %s at the end of its window.", schedule.label,
                            pool.maxUsedCount(), CONNECTIONS + 2, pool.blockingTimeMax().toMillis(), elections,
                            loadBefore, Report.loadAverage()));
                } finally {
                    vertx.close().toCompletionStage().toCompletableFuture().join();
                }
            }
            rows.add(List.of(schedule.label,
                    String.format(Locale.ROOT, "%.0f", statements / (double) WINDOW.toSeconds()),
                    Report.millis(rounds.percentile(50)), Report.millis(rounds.percentile(99)),
                    Report.millis(rounds.max()), Report.millis(queue.percentile(50)),
                    Report.millis(queue.percentile(99)),
                    String.format(Locale.ROOT, "%.1f / %d", seen.waitingOnLocks / (double) seen.serverSamples,
                            seen.mostWaitingOnLocks),
                    String.valueOf(walBytes / Math.max(1, statements)),
                    String.valueOf(seen.instanceSamples), String.valueOf(seen.mostLeaders),
                    String.valueOf(seen.withTwoOrMore), String.valueOf(seen.withNone)));
            if (schedule == Schedule.QUARKUS_PEER) {
                ourRounds = rounds;
            } else {
                obanRounds = rounds;
            }
        }
        report.section("Scale: " + NODES + " nodes x " + INSTANCES + " instances, " + INTERVAL.toSeconds()
                + " s interval, " + WINDOW.toSeconds() + " s window per schedule, one after the other");
        report.table(List.of("schedule", "statements/s", "round p50", "round p99", "round max", "worker wait p50",
                "worker wait p99", "sessions waiting on a lock (mean / max)", "WAL bytes per statement",
                "instance samples", "most leaders of an instance", "samples with 2+ leaders",
                "samples with no leader"), rows);
        report.line("");
        report.line("Round p99, Quarkus Peer / Oban schedule: %s. Target round p99 <= 50 ms: %s. Two leaders "
                + "never seen: %s.", Report.ratio((double) ourRounds.percentile(99) / obanRounds.percentile(99)),
                ourRounds.percentile(99) <= TARGET_P99_NANOS ? "met" : "MISSED",
                rows.stream().allMatch(r -> r.get(11).equals("0")) ? "met" : "MISSED");
        notes.forEach(report::line);
    }

    private static long statements(LocalCluster cluster) {
        return cluster.nodes().stream().mapToLong(n -> n.connections().statements()).sum();
    }

    /**
     * Counts the leaders of every instance every {@value #SAMPLE_EVERY_MILLIS} ms, and samples the server every
     * tenth time, until {@code end}.
     */
    private static Seen sample(List<List<BenchPeer>> byInstance, SharedDatabase database, long end)
            throws InterruptedException {
        Seen seen = new Seen();
        for (long tick = 0; System.nanoTime() - end < 0; tick++) {
            for (List<BenchPeer> peers : byInstance) {
                int count = 0;
                for (BenchPeer peer : peers) {
                    if (peer.isLeader()) {
                        count++;
                    }
                }
                seen.mostLeaders = Math.max(seen.mostLeaders, count);
                if (count >= 2) {
                    seen.withTwoOrMore++;
                } else if (count == 0) {
                    seen.withNone++;
                }
                seen.instanceSamples++;
            }
            if (tick % 10 == 0) {
                SharedDatabase.ServerSample server = database.sample();
                seen.serverSamples++;
                seen.waitingOnLocks += server.waitingOnLocks();
                seen.mostWaitingOnLocks = Math.max(seen.mostWaitingOnLocks, server.waitingOnLocks());
            }
            Thread.sleep(SAMPLE_EVERY_MILLIS);
        }
        return seen;
    }
}
