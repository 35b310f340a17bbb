package io.github.quarkuspeer.runtime.election.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.database.JdbcLeaseStore;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.github.quarkuspeer.runtime.election.sim.SimDatabase.Faults;
import io.github.quarkuspeer.runtime.election.sim.SimDatabase.Flavour;

/**
 * One seeded schedule: a few processes electing a leader of one instance against a {@link SimDatabase}, while the
 * schedule pauses, kills, restarts and stops them, and the database delays, loses and orphans statements. Then
 * the checks that must hold whatever happened.
 */
final class Schedule {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    static final String INSTANCE = "jobs";

    final long seed;
    private final SimWorld world;
    private final SimDatabase database;
    private final Timing timing;
    private final long end;
    private final List<SimNode> processes = new ArrayList<>();
    private final Map<String, Integer> incarnations = new HashMap<>();
    private final StringBuilder log = new StringBuilder();

    Schedule(long seed) {
        this.seed = seed;
        this.world = new SimWorld(seed);
        long lease = new long[] { S, 2 * S, 5 * S }[world.random.nextInt(3)];
        long interval = world.chance(0.5) ? lease : 2 * lease;
        this.timing = new Timing(interval, lease);
        Flavour flavour = Flavour.values()[world.random.nextInt(Flavour.values().length)];
        double hostility = world.random.nextDouble();
        Faults faults = new Faults(0.05 * hostility, 0.10 * hostility, 0.05 * hostility, 0.05 * hostility,
                0.03 * hostility, 0.05 * hostility);
        // as the real stores: half the lease within 1 to 10 s, the server's bound three quarters of it; H2's client
        // never gives up, and H2 ends a lock wait at its lock timeout of 1 s
        long clientTimeout = flavour == Flavour.H2 ? 0 : Math.max(S, Math.min(10 * S, lease / 2));
        long serverTimeout = flavour == Flavour.H2 ? S
                : JdbcLeaseStore.serverTimeoutOf(Duration.ofNanos(clientTimeout)).toNanos();
        this.database = new SimDatabase(world, INSTANCE, flavour, faults, clientTimeout, serverTimeout, true);
        this.end = 25 * lease;
        log.append(String.format("seed %d: lease %d ms, interval %d ms, %s, hostility %.2f%n", seed, lease / MS,
                interval / MS, flavour, hostility));
    }

    private SimNode start(String name, boolean candidate) {
        int incarnation = incarnations.merge(name, 1, Integer::sum);
        // within 1% of the true rate, which the safety margin absorbs (SPEC 5.5)
        double rate = 1 + (world.random.nextDouble() - 0.5) * 0.02;
        long offset = world.random.nextLong() / 4;
        SimNode node = new SimNode(world, name, incarnation, offset, rate);
        Election election = new Election(INSTANCE, name, candidate, timing, database.storeOf(node),
                node.scheduling(), node.listener(), node::clock);
        node.election = election;
        election.claimListener(node.claimListener());
        election.random(world.random::nextDouble);
        database.listen(node);
        processes.add(node);
        log.append(String.format("%8.1f ms start %s%s%n", world.now() / 1e6, node, candidate ? "" : " (observer)"));
        election.start();
        return node;
    }

    /** Runs the schedule; returns a description of every broken promise (empty if none). */
    List<String> run() {
        int size = 2 + world.random.nextInt(3);
        for (int i = 0; i < size; i++) {
            // some processes share a node name: identity is per process, not per name
            String name = world.chance(0.2) && i > 0 ? "node-0" : "node-" + i;
            start(name, !world.chance(0.1));
        }
        long lease = timing.leaseNanos();
        long t = 0;
        while (t < end) {
            t += world.between(lease / 4, 3 * lease);
            world.runTo(t);
            List<SimNode> alive = processes.stream().filter(n -> !n.dead() && n.releaseBegan < 0).toList();
            if (alive.isEmpty()) {
                start("node-r" + processes.size(), true);
                continue;
            }
            SimNode target = alive.get(world.random.nextInt(alive.size()));
            int fault = world.random.nextInt(10);
            if (fault < 4) {
                long pause = world.between(lease / 10, 3 * lease);
                log.append(String.format("%8.1f ms pause %s for %d ms%n", world.now() / 1e6, target, pause / MS));
                target.pause(pause);
            } else if (fault < 6) {
                log.append(String.format("%8.1f ms kill -9 %s%n", world.now() / 1e6, target));
                target.die();
                start(target.name, true);
            } else if (fault < 8) {
                log.append(String.format("%8.1f ms release %s%n", world.now() / 1e6, target));
                target.releaseBegan = world.now();
                release(target);
                start(target.name, true);
            }
        }
        world.runTo(end + 3 * lease);
        return check();
    }

    private void release(SimNode node) {
        node.election.release();
    }

    /** The promises of SPEC 5 and 10, checked on the whole history. */
    private List<String> check() {
        List<String> broken = new ArrayList<>(database.violations);
        broken.addAll(SimProcess.overlapsAndTokens(processes));
        List<SimNode.Announced> elected = new ArrayList<>();
        for (SimNode process : processes) {
            process.events.stream().filter(a -> a.event().reason() == Reason.ELECTED).forEach(elected::add);
            for (SimNode.Announced announced : process.events) {
                if (announced.event().reason() == Reason.RESIGNED) {
                    long token = announced.event().fencingToken();
                    boolean ledUntilRelease = process.claims.stream()
                            .anyMatch(c -> c.token == token && c.until >= process.releaseBegan - 1_000);
                    if (!ledUntilRelease) {
                        broken.add(process + " announced RESIGNED for token " + token
                                + " although its claim had ended before the release began at "
                                + process.releaseBegan + ": " + process.claims);
                    }
                }
            }
        }
        elected.sort(Comparator.comparingLong(SimNode.Announced::at));
        long last = 0;
        for (SimNode.Announced announced : elected) {
            if (announced.event().fencingToken() <= last) {
                broken.add("ELECTED with token " + announced.event().fencingToken() + " at "
                        + announced.at() / MS + " ms after a term with token " + last);
            }
            last = Math.max(last, announced.event().fencingToken());
        }
        return broken;
    }

    String log() {
        return log.toString();
    }

    long events() {
        return world.processed();
    }
}
