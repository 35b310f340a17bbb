package io.github.quarkuspeer.runtime.election.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;

/**
 * One simulated process running one election: its own monotonic clock (any offset, and a rate a little off the true
 * one), the events that a paused process does not run and a dead one never runs, and the claims of leadership it
 * made, in true time. Shared by the simulations of the database kind and of the global kind.
 */
public abstract class SimProcess {

    /** An interval during which a process could answer {@code isLeader() == true}, in true time. */
    public static final class Claim {
        public final SimProcess process;
        public final long token;
        public final double from;
        public double until;

        Claim(SimProcess process, long token, double from, double until) {
            this.process = process;
            this.token = token;
            this.from = from;
            this.until = until;
        }

        @Override
        public String toString() {
            return String.format("%s token %d [%.3f ms, %.3f ms]", process, token, from / 1e6, until / 1e6);
        }
    }

    public final String name;
    public final int incarnation;
    protected final SimWorld world;
    private final long offset;
    private final double rate;
    private long pausedUntil;
    private long diedAt = -1;
    public final List<Claim> claims = new ArrayList<>();
    /** When this process began to release, in true time; -1 before. */
    public long releaseBegan = -1;

    protected SimProcess(SimWorld world, String name, int incarnation, long offset, double rate) {
        this.world = world;
        this.name = name;
        this.incarnation = incarnation;
        this.offset = offset;
        this.rate = rate;
    }

    /** This process's monotonic clock. */
    public long clock() {
        return offset + (long) (world.now() * rate);
    }

    /** The true time at which this process's clock reads {@code local}. */
    public double trueTime(long local) {
        return (local - offset) / rate;
    }

    /** The true delay after which this process's clock has advanced by {@code localDelay}. */
    public long trueDelay(long localDelay) {
        return (long) Math.ceil(localDelay / rate);
    }

    public long pausedUntil() {
        return pausedUntil;
    }

    public boolean dead() {
        return diedAt >= 0;
    }

    public boolean paused() {
        return pausedUntil > world.now();
    }

    /** Stops every thread of the process for {@code duration}: SIGSTOP, a long GC pause. */
    public void pause(long duration) {
        pausedUntil = Math.max(pausedUntil, world.now() + duration);
    }

    /** kill -9, or the end of a process that left: its claims end now at the latest. */
    public void die() {
        if (dead()) {
            return;
        }
        diedAt = world.now();
        for (Claim claim : claims) {
            claim.until = Math.min(claim.until, diedAt);
        }
    }

    /** Whether a claim reported now counts; a simulation may ignore the code a dead process still runs. */
    protected boolean takesClaims() {
        return true;
    }

    /** Timers that never fire early and may fire up to 5 ms late; blocking work that starts within 2 ms. */
    public Election.Scheduling scheduling() {
        SimProcess self = this;
        return new Election.Scheduling() {
            private long next;
            private final Set<Long> cancelled = new HashSet<>();

            @Override
            public long setTimer(long delayNanos, Runnable task) {
                long handle = ++next;
                long late = world.between(0, 5_000_000);
                world.after(trueDelay(delayNanos) + late, self, () -> {
                    if (!cancelled.remove(handle)) {
                        task.run();
                    }
                });
                return handle;
            }

            @Override
            public void cancelTimer(long handle) {
                cancelled.add(handle);
            }

            @Override
            public void runBlocking(Runnable task) {
                world.after(world.between(0, 2_000_000), self, task);
            }
        };
    }

    /** Records the claims the election reports, in true time, joining a renewal to the claim it extends. */
    public ClaimListener claimListener() {
        return new ClaimListener() {
            @Override
            public void claimed(String instance, String node, long token, long fromNanos, long untilNanos) {
                if (!takesClaims()) {
                    return;
                }
                Claim last = claims.isEmpty() ? null : claims.get(claims.size() - 1);
                if (last != null && last.token == token && last.until >= trueTime(fromNanos)) {
                    last.until = Math.max(last.until, trueTime(untilNanos));
                } else {
                    claims.add(new Claim(SimProcess.this, token, trueTime(fromNanos), trueTime(untilNanos)));
                }
            }

            @Override
            public void ended(String instance, String node, long token, long atNanos) {
                for (Claim claim : claims) {
                    if (claim.token == token) {
                        claim.until = Math.min(claim.until, trueTime(atNanos));
                    }
                }
            }
        };
    }

    /**
     * The first two promises of every simulation, checked on the whole history: no two processes' claims overlap,
     * and every term has a greater token than the terms before it.
     *
     * @return a line per broken promise
     */
    public static List<String> overlapsAndTokens(List<? extends SimProcess> processes) {
        List<String> broken = new ArrayList<>();
        List<Claim> claims = new ArrayList<>();
        processes.forEach(p -> claims.addAll(p.claims));
        claims.sort(Comparator.comparingDouble(c -> c.from));
        for (int i = 0; i < claims.size(); i++) {
            for (int j = i + 1; j < claims.size(); j++) {
                Claim a = claims.get(i);
                Claim b = claims.get(j);
                if (a.process != b.process && a.from < b.until && b.from < a.until) {
                    broken.add("two leaders: " + a + " and " + b);
                }
            }
        }
        long highest = 0;
        for (Claim claim : claims) {
            if (claim.token <= highest) {
                broken.add("a term did not get a greater token: " + claim + " after token " + highest);
            }
            highest = Math.max(highest, claim.token);
        }
        return broken;
    }

    @Override
    public String toString() {
        return name + "#" + incarnation;
    }
}
