package io.github.quarkuspeer.runtime.global.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.github.quarkuspeer.runtime.election.sim.SimProcess;
import io.github.quarkuspeer.runtime.election.sim.SimWorld;
import io.github.quarkuspeer.runtime.global.RaftLeaseStore;

/**
 * One seeded schedule: the members of one group, each run by a process with the real election and lease store, on a
 * {@link SimRaft} whose network delays, drops and partitions, while the schedule pauses processes, kills and restarts
 * them, releases them gracefully, cuts the network and forces leader changes. Then the checks that must hold whatever
 * happened.
 */
final class RaftSchedule {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    static final String INSTANCE = "jobs";

    private final SimWorld world;
    private final SimRaft raft;
    private final Timing timing;
    private final long end;
    private final List<String> names = new ArrayList<>();
    private final List<Proc> processes = new ArrayList<>();
    private final Map<String, Integer> incarnations = new HashMap<>();
    private final StringBuilder log = new StringBuilder();

    RaftSchedule(long seed) {
        this.world = new SimWorld(seed);
        long lease = new long[] {S, 2 * S, 5 * S}[world.random.nextInt(3)];
        long interval = world.chance(0.5) ? lease : 2 * lease;
        this.timing = new Timing(interval, lease);
        int size = world.chance(0.5) ? 3 : 5;
        for (int i = 1; i <= size; i++) {
            names.add("m" + i);
        }
        long maxDelay = new long[] {MS, 20 * MS, 200 * MS}[world.random.nextInt(3)];
        double drop = world.random.nextDouble() * 0.1;
        long detect = Math.max(S, lease / 5) + Math.max(S / 2, lease / 10);
        this.raft = new SimRaft(world, names, maxDelay, drop, detect);
        this.end = 25 * lease;
        log.append(String.format("seed %d: %d members, lease %d ms, interval %d ms, network delay up to %d ms, "
                + "drop %.3f%n", seed, size, lease / MS, interval / MS, maxDelay / MS, drop));
    }

    private Proc start(String name) {
        int incarnation = incarnations.merge(name, 1, Integer::sum);
        double rate = 1 + (world.random.nextDouble() - 0.5) * 0.01; // within 0.5% of the true rate
        Proc process = new Proc(world, name, incarnation, world.random.nextLong() / 4, rate);
        SimRaft.Member member = raft.members.get(name);
        member.open(process);
        RaftLeaseStore store = new RaftLeaseStore(member, timing.lease(), true, process::clock);
        Election election = new Election(INSTANCE, name, true, timing, store, process.scheduling(),
                process.events::add, process::clock);
        election.claimListener(process.claimListener());
        election.random(world.random::nextDouble);
        process.election = election;
        member.changed = () -> election.wake(true);
        processes.add(process);
        log.append(String.format("%9.1f ms start %s%n", world.now() / 1e6, process));
        election.start();
        return process;
    }

    private Proc current(String name) {
        SimRaft.Member member = raft.members.get(name);
        return member.proc != null && !member.proc.dead() && member.proc.releaseBegan < 0 ? member.proc : null;
    }

    /** Runs the schedule; returns a description of every broken promise (empty if none). */
    List<String> run() {
        names.forEach(this::start);
        long lease = timing.leaseNanos();
        long t = 0;
        while (t < end) {
            t += world.between(lease / 4, 3 * lease);
            world.runTo(t);
            List<String> alive = names.stream().filter(n -> current(n) != null).toList();
            if (alive.isEmpty()) {
                continue;
            }
            String name = alive.get(world.random.nextInt(alive.size()));
            Proc target = current(name);
            int fault = world.random.nextInt(12);
            if (fault < 3) {
                long pause = world.between(lease / 10, 3 * lease);
                note("pause %s for %d ms", target, pause / MS);
                target.pause(pause);
            } else if (fault < 5) {
                note("kill -9 %s", target);
                kill(target);
                long after = world.between(0, lease);
                world.after(after, null, () -> {
                    if (current(name) == null && !raft.members.get(name).online) {
                        start(name);
                    }
                });
            } else if (fault < 7) {
                note("release %s", target);
                release(target);
            } else if (fault < 9) {
                Set<String> oneSide = new HashSet<>();
                for (String member : names) {
                    if (world.chance(0.5)) {
                        oneSide.add(member);
                    }
                }
                long heal = world.between(lease / 2, 4 * lease);
                note("partition %s | rest for %d ms", oneSide, heal / MS);
                raft.partition(oneSide);
                world.after(heal, null, () -> {
                    note("heal");
                    raft.heal();
                });
            } else if (fault < 10) {
                note("force a leader change");
                raft.forceElection();
            }
        }
        raft.heal();
        world.runTo(end + 3 * lease);
        return check();
    }

    private void kill(Proc process) {
        process.die();
        raft.members.get(process.name).leave();
    }

    /** As on shutdown: the election releases (a committed release entry), then the process leaves the group. */
    private void release(Proc process) {
        process.releaseBegan = world.now();
        CompletableFuture<LeadershipChanged> released = process.election.release();
        long giveUp = world.now() + 2 * RaftLeaseStore.commitTimeoutOf(timing.lease()).toNanos() + S;
        awaitRelease(process, released, giveUp);
    }

    private void awaitRelease(Proc process, CompletableFuture<?> released, long giveUp) {
        world.after(MS, null, () -> {
            if (!released.isDone() && world.now() < giveUp && !process.dead()) {
                awaitRelease(process, released, giveUp);
                return;
            }
            if (!process.dead()) {
                raft.members.get(process.name).stopped = true;
                kill(process);
                note("%s left the group", process);
            }
            world.after(world.between(0, timing.leaseNanos()), null, () -> {
                if (current(process.name) == null) {
                    start(process.name);
                }
            });
        });
    }

    private void note(String format, Object... args) {
        log.append(String.format("%9.1f ms ", world.now() / 1e6)).append(String.format(format, args)).append('\n');
    }

    /** No two processes' claims overlap; every term has a greater token; RESIGNED only from a process that led. */
    private List<String> check() {
        List<String> broken = new ArrayList<>();
        broken.addAll(SimProcess.overlapsAndTokens(processes));
        for (Proc process : processes) {
            for (LeadershipChanged event : process.events) {
                if (event.reason() == Reason.RESIGNED) {
                    boolean ledUntilRelease = process.claims.stream().anyMatch(
                            c -> c.token == event.fencingToken() && c.until >= process.releaseBegan - MS);
                    if (!ledUntilRelease) {
                        broken.add(process + " announced RESIGNED for token " + event.fencingToken()
                                + " but had stopped leading before its release");
                    }
                }
            }
        }
        return broken;
    }

    /** How many terms of leadership the schedule saw, to show that it did elect. */
    long claims() {
        return processes.stream().mapToLong(p -> p.claims.size()).sum();
    }

    String log() {
        return log.toString();
    }

    long events() {
        return world.processed();
    }
}
