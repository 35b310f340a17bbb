package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.jgroups.protocols.DISCARD;
import org.jgroups.stack.Protocol;

import io.github.quarkuspeer.testing.FreePorts;
import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.vertx.core.Vertx;

/**
 * The members of one instance's Raft group in one JVM, each a {@link GlobalPeers} of its own as a separate process
 * would have (its own owner, data directory, channel on a loopback port of its own), on Vert.x as in production.
 * A member can be stopped gracefully, cut off from the network without leaving (every message dropped, as after
 * {@code kill -9} or a partition), and started again as a new process on the same directory.
 */
final class LocalGroup implements AutoCloseable {

    static final String INSTANCE = "jobs";

    /** A term of leadership as a member's election reported it. */
    static final class Claim {
        final String process;
        final long token;
        final long from;
        volatile long until;

        Claim(String process, long token, long from, long until) {
            this.process = process;
            this.token = token;
            this.from = from;
            this.until = until;
        }

        @Override
        public String toString() {
            return process + " token " + token + " [" + from / 1_000_000 + " ms, " + until / 1_000_000 + " ms]";
        }
    }

    /** What a test changes about one member. */
    record Options(UnaryOperator<List<Protocol>> protocols, Function<GuardedLog.Listener, GuardedLog> logs,
            boolean joinWithEmptyDataDir, int port, Optional<Path> stack) {

        static Options defaults() {
            return new Options(p -> p, GuardedLog::new, false, 0, Optional.empty());
        }

        Options protocols(UnaryOperator<List<Protocol>> more) {
            return new Options(more, logs, joinWithEmptyDataDir, port, stack);
        }

        Options logs(Function<GuardedLog.Listener, GuardedLog> factory) {
            return new Options(protocols, factory, joinWithEmptyDataDir, port, stack);
        }

        Options joiningWithEmptyDataDir() {
            return new Options(protocols, logs, true, port, stack);
        }

        /** This member's own port, though its entry in the members list says another. */
        Options port(int own) {
            return new Options(protocols, logs, joinWithEmptyDataDir, own, stack);
        }

        Options stack(Path file) {
            return new Options(protocols, logs, joinWithEmptyDataDir, port, Optional.of(file));
        }
    }

    /** One member, as one process runs it. */
    final class Member {
        final String name;
        final String process;
        final GlobalPeers peers;
        final Election election;
        final List<LeadershipChanged> events = new CopyOnWriteArrayList<>();
        final DISCARD network = new DISCARD();

        private Member(String name, Options options, Path dataDir) {
            this.name = name;
            this.process = name + "#" + incarnations.incrementAndGet();
            GlobalSettings settings = settings(name, dataDir, options);
            RaftMember.Hooks hooks = new RaftMember.Hooks(protocols -> {
                List<Protocol> all = new ArrayList<>(options.protocols().apply(protocols));
                all.add(1, network); // just above the transport
                return all;
            }, options.logs());
            this.peers = new GlobalPeers(new GlobalPeers.Options(
                    () -> new VertxScheduling(vertx, vertx.getOrCreateContext()), background,
                    claimListener(process), hooks));
            this.election = peers.add(settings, events::add);
        }

        RaftMember member() {
            return peers.member(INSTANCE);
        }

        boolean leads() {
            return election.isLeader();
        }

        /** Leaves gracefully, as on shutdown: releases the lease it holds, then leaves the group. */
        void stop() {
            peers.stop();
            running.remove(this);
        }

        /** Drops every message in and out from now on: to the others, as if the process had died. */
        void cut() {
            network.discardAll(true);
        }

        /** Lets messages through again. */
        void heal() {
            network.discardAll(false);
        }

        @Override
        public String toString() {
            return process;
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final ExecutorService background = Executors.newCachedThreadPool();
    private final AtomicInteger incarnations = new AtomicInteger();
    private final Path directory;
    private final Duration lease;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    final List<Member> running = new CopyOnWriteArrayList<>();
    final List<Claim> claims = new CopyOnWriteArrayList<>();

    /**
     * @param names the group's members
     * @param lease the lease (the interval too)
     */
    LocalGroup(List<String> names, Duration lease) {
        this.lease = lease;
        try {
            this.directory = Files.createTempDirectory("peer-global-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String name : names) {
            ports.put(name, freePort());
        }
    }

    Duration lease() {
        return lease;
    }

    /** The data directory of a member name: the same for every process that runs as it. */
    Path dataDir(String name) {
        return directory.resolve(name);
    }

    GlobalSettings settings(String name, Path dataDir, Options options) {
        List<GlobalSettings.Member> members = ports.entrySet().stream()
                .map(e -> new GlobalSettings.Member(e.getKey(), "127.0.0.1",
                        e.getKey().equals(name) && options.port() != 0 ? options.port() : e.getValue()))
                .toList();
        GlobalSettings.Member self = members.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
        return new GlobalSettings(INSTANCE, name, true, Timing.of(lease, lease), members, self,
                dataDir.resolve(GlobalSettings.directoryName(INSTANCE)), options.stack(), "test-" + INSTANCE,
                options.joinWithEmptyDataDir());
    }

    /** Makes a member as a new process, without starting it. */
    Member create(String name, Options options) {
        return new Member(name, options, dataDir(name));
    }

    /** Makes a member as a new process on another data directory, without starting it. */
    Member create(String name, Options options, Path dataDir) {
        return new Member(name, options, dataDir);
    }

    /** A port that was free when asked. */
    static int freePort() {
        return FreePorts.pick();
    }

    /** The port of a member in the members list. */
    int port(String name) {
        return ports.get(name);
    }

    /** A directory of the group's that no member uses. */
    Path spareDirectory(String name) {
        return directory.resolve("spare-" + name);
    }

    /** Starts a member as a new process on its data directory. */
    Member start(String name) {
        return start(create(name, Options.defaults()));
    }

    Member start(Member member) {
        try {
            member.peers.start();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        running.add(member);
        return member;
    }

    /** Starts members side by side (the first start of a group waits until all have answered). */
    List<Member> startAll(String... names) {
        return startAll(Stream.of(names).map(n -> create(n, Options.defaults())).toList());
    }

    /** Starts members side by side. */
    List<Member> startAll(List<Member> members) {
        List<Thread> threads = new ArrayList<>();
        List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        for (Member member : members) {
            Thread thread = new Thread(() -> {
                try {
                    start(member);
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return members;
    }

    /** The running members that lead now. */
    List<Member> leaders() {
        return running.stream().filter(Member::leads).toList();
    }

    /** The one leader every running member agrees on, if there is one. */
    Optional<Member> settledLeader() {
        List<Member> leaders = leaders();
        if (leaders.size() != 1) {
            return Optional.empty();
        }
        String name = leaders.get(0).name;
        boolean agreed = running.stream().allMatch(m -> m.election.getLeader().filter(name::equals).isPresent());
        return agreed ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    private ClaimListener claimListener(String process) {
        return new ClaimListener() {
            @Override
            public void claimed(String instance, String node, long token, long fromNanos, long untilNanos) {
                synchronized (claims) {
                    Claim last = claims.stream().filter(c -> c.process.equals(process) && c.token == token)
                            .reduce((a, b) -> b).orElse(null);
                    if (last != null && last.until >= fromNanos) {
                        last.until = Math.max(last.until, untilNanos);
                    } else {
                        claims.add(new Claim(process, token, fromNanos, untilNanos));
                    }
                }
            }

            @Override
            public void ended(String instance, String node, long token, long atNanos) {
                synchronized (claims) {
                    claims.stream().filter(c -> c.process.equals(process) && c.token == token)
                            .forEach(c -> c.until = Math.min(c.until, atNanos));
                }
            }
        };
    }

    /** The claims in the order they began. */
    List<Claim> history() {
        synchronized (claims) {
            return claims.stream().sorted(Comparator.comparingLong(c -> c.from)).toList();
        }
    }

    /** No two processes' claims overlap, and every term has a greater token than those before it. */
    void assertSafe() {
        List<Claim> history = history();
        for (int i = 0; i < history.size(); i++) {
            for (int j = i + 1; j < history.size(); j++) {
                Claim a = history.get(i);
                Claim b = history.get(j);
                assertThat(a.process.equals(b.process) || !(a.from < b.until && b.from < a.until))
                        .as("two leaders: %s and %s in %s", a, b, history).isTrue();
            }
        }
        long highest = 0;
        for (Claim claim : history) {
            assertThat(claim.token).as("token of %s after %d in %s", claim, highest, history).isGreaterThan(highest);
            highest = claim.token;
        }
    }

    @Override
    public void close() {
        for (Member member : List.copyOf(running)) {
            try {
                member.heal();
                member.stop();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        background.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
