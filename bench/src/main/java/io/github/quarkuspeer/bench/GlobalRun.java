package io.github.quarkuspeer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;

import org.jgroups.protocols.DISCARD;
import org.jgroups.stack.Protocol;

import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.github.quarkuspeer.runtime.global.GlobalPeers;
import io.github.quarkuspeer.runtime.global.GlobalSettings;
import io.github.quarkuspeer.runtime.global.RaftMember;
import io.vertx.core.Vertx;

/**
 * The global kind's graceful handover and crash failover, beside the database kind's in the same run: three members
 * of one Raft group over loopback in one JVM, each a {@link GlobalPeers} of its own with its own data directory and
 * channel, as separate processes would have, on real JGroups channels with the built-in stack.
 * <ul>
 * <li><b>Graceful handover</b> at the default 30 s interval: the leader stops as on shutdown (its release entry
 * committed, then it leaves the group); the time runs from the stop until another member publishes its win. The
 * stopped member then starts again on its directory, as a restarted process would.</li>
 * <li><b>Crash failover</b>: right after the leader's renewal, every message to and from it is dropped (a JGroups
 * {@code DISCARD} just above the transport), which is {@code kill -9} or a partition to the others. The time runs from
 * the moment that last renewal was sent until another member publishes its win, as a multiple of the lease.</li>
 * </ul>
 */
final class GlobalRun {

    static final int HANDOVERS = 20;
    static final int WARMUP = 3;
    static final List<Duration> CRASH_LEASES = List.of(Duration.ofSeconds(2), Duration.ofSeconds(5));
    static final int CRASHES = 10;
    private static final String INSTANCE = "bench";
    private static final List<String> NAMES = List.of("g1", "g2", "g3");

    private GlobalRun() {
    }

    static void run(Vertx vertx, Report report) throws Exception {
        Samples handovers = new Samples();
        try (Group group = new Group(vertx, HandoverRun.INTERVAL)) {
            for (int i = -WARMUP; i < HANDOVERS; i++) {
                Member leader = group.awaitLeader();
                long stoppedAt = System.nanoTime();
                leader.peers.stop();
                group.members.remove(leader.name);
                long elected = group.awaitElectedAfter(stoppedAt);
                if (i >= 0) {
                    handovers.add(elected - stoppedAt);
                }
                group.start(leader.name);
            }
        }
        report.section("Global kind: graceful handover, " + HandoverRun.INTERVAL.toSeconds() + " s interval, "
                + NAMES.size() + " members, after " + WARMUP + " uncounted handovers");
        report.table(List.of("kind", "handovers", "p50", "p99", "max"),
                List.of(List.of("global", String.valueOf(handovers.count()), Report.millis(handovers.percentile(50)),
                        Report.millis(handovers.percentile(99)), Report.millis(handovers.max()))));
        report.line("");
        report.line("From the stop of the leader (release entry committed, then the group left) until another member "
                + "publishes its win; the database kind's figures are in the graceful handover section above.");

        List<List<String>> rows = new ArrayList<>();
        for (Duration lease : CRASH_LEASES) {
            Samples crashes = new Samples();
            try (Group group = new Group(vertx, lease)) {
                for (int i = 0; i < CRASHES; i++) {
                    Member leader = group.awaitLeader();
                    long renewed = leader.awaitRenewal();
                    leader.network.discardAll(true);
                    long elected = group.awaitElectedAfter(renewed, leader);
                    crashes.add(elected - renewed);
                    leader.kill();
                    group.members.remove(leader.name);
                    group.start(leader.name);
                }
            }
            double l = lease.toNanos();
            rows.add(List.of(lease.toSeconds() + " s", String.valueOf(crashes.count()),
                    Report.ratio(crashes.percentile(50) / l), Report.ratio(crashes.percentile(99) / l),
                    Report.ratio(crashes.max() / l), String.format(Locale.ROOT, "%.2f / %.2f s",
                            crashes.percentile(50) / 1e9, crashes.max() / 1e9)));
        }
        report.section("Global kind: crash failover (leader cut off right after a renewal), " + NAMES.size()
                + " members, " + CRASHES + " crashes per lease");
        report.table(List.of("lease", "crashes", "p50 x lease", "p99 x lease", "max x lease", "p50 / max seconds"),
                rows);
        report.line("");
        report.line("From the moment the leader's last renewal was sent until another member publishes its win; the "
                + "new leader may claim T0 + lease + margin after it stored that renewal (margin 1% of the lease + "
                + "100 ms). The database kind's figures are in the crash failover section above.");
    }

    /** One member, as one process runs it. */
    private static final class Member {
        final String name;
        final GlobalPeers peers;
        final Election election;
        final DISCARD network = new DISCARD();
        volatile long electedAt;
        volatile long lastRenewalSent;

        Member(String name, GlobalSettings settings, Vertx vertx, ExecutorService background) {
            this.name = name;
            ClaimListener claims = new ClaimListener() {
                @Override
                public void claimed(String instance, String node, long token, long fromNanos, long untilNanos) {
                    // the deadline is t_sent + lease - margin: the renewal behind it was sent then
                    lastRenewalSent = untilNanos - settings.timing().leaseNanos()
                            + settings.timing().safetyMarginNanos();
                }

                @Override
                public void ended(String instance, String node, long token, long atNanos) {
                }
            };
            this.peers = new GlobalPeers(new GlobalPeers.Options(
                    () -> new VertxScheduling(vertx, vertx.getOrCreateContext()), background, claims,
                    new RaftMember.Hooks(protocols -> {
                        List<Protocol> all = new ArrayList<>(protocols);
                        all.add(1, network);
                        return all;
                    }, io.github.quarkuspeer.runtime.global.GuardedLog::new)));
            this.election = peers.add(settings, event -> {
                if (event.leader()) {
                    electedAt = System.nanoTime();
                }
            });
        }

        /** Waits for the next renewal and returns when it was sent. */
        long awaitRenewal() throws InterruptedException {
            long before = lastRenewalSent;
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (lastRenewalSent == before) {
                if (System.nanoTime() - end > 0) {
                    throw new IllegalStateException(name + " did not renew");
                }
                Thread.sleep(1);
            }
            return lastRenewalSent;
        }

        /** Ends the process without a release: it leaves nothing behind but its directory. */
        void kill() {
            peers.member(INSTANCE).close();
            election.release();
        }
    }

    /** The group: three members, started and restarted on their directories. */
    private static final class Group implements AutoCloseable {
        final Vertx vertx;
        final Duration lease;
        final ExecutorService background = Executors.newCachedThreadPool();
        final Path directory;
        final Map<String, Integer> ports = new LinkedHashMap<>();
        final Map<String, Member> members = new LinkedHashMap<>();

        Group(Vertx vertx, Duration lease) throws Exception {
            this.vertx = vertx;
            this.lease = lease;
            this.directory = Files.createTempDirectory("bench-global-");
            for (String name : NAMES) {
                ports.put(name, freePort());
            }
            List<Thread> starting = new ArrayList<>();
            for (String name : NAMES) {
                Member member = create(name);
                members.put(name, member);
                Thread thread = new Thread(() -> {
                    try {
                        member.peers.start();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                thread.start();
                starting.add(thread);
            }
            for (Thread thread : starting) {
                thread.join();
            }
        }

        Member create(String name) {
            List<GlobalSettings.Member> list = ports.entrySet().stream()
                    .map(e -> new GlobalSettings.Member(e.getKey(), "127.0.0.1", e.getValue())).toList();
            GlobalSettings.Member self = list.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
            GlobalSettings settings = new GlobalSettings(INSTANCE, name, true, Timing.of(lease, lease), list, self,
                    directory.resolve(name), Optional.empty(), "bench-global", false);
            return new Member(name, settings, vertx, background);
        }

        /** Starts a member again on its directory, and waits until it has caught up: it knows the leader. */
        void start(String name) throws Exception {
            Member member = create(name);
            member.peers.start();
            members.put(name, member);
            long end = System.nanoTime() + lease.multipliedBy(10).plusSeconds(30).toNanos();
            while (member.election.getLeader().isEmpty()) {
                if (System.nanoTime() - end > 0) {
                    throw new IllegalStateException(name + " did not catch up");
                }
                Thread.sleep(5);
            }
        }

        Member awaitLeader() throws InterruptedException {
            long end = System.nanoTime() + lease.multipliedBy(10).plusSeconds(30).toNanos();
            while (System.nanoTime() - end < 0) {
                List<Member> leaders = members.values().stream().filter(m -> m.election.isLeader()).toList();
                if (leaders.size() == 1) {
                    return leaders.get(0);
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException("no single leader among " + members.keySet());
        }

        long awaitElectedAfter(long since, Member... except) throws InterruptedException {
            long end = System.nanoTime() + lease.multipliedBy(10).plusSeconds(30).toNanos();
            while (System.nanoTime() - end < 0) {
                for (Member member : members.values()) {
                    if (member.electedAt - since > 0 && !List.of(except).contains(member)) {
                        return member.electedAt;
                    }
                }
                Thread.sleep(1);
            }
            throw new IllegalStateException("no member led after the leader went");
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            for (Member member : members.values()) {
                member.network.discardAll(false);
                member.peers.stop();
            }
            background.shutdownNow();
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                // a temporary directory left behind is harmless
            }
        }
    }
}
