package io.github.quarkuspeer.runtime.global.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.global.LeaseStateMachine;
import io.github.quarkuspeer.runtime.global.Takeover;

/**
 * One process running one member of the group: its own monotonic clock (an offset and a rate of its own), its
 * election, and the state a process keeps in memory (what it stored, what it applied), which a crash loses.
 */
final class Proc {

    /** An interval during which this process could answer {@code isLeader() == true}, in true time. */
    static final class Claim {
        final Proc process;
        final long token;
        final double from;
        double until;

        Claim(Proc process, long token, double from, double until) {
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

    final String name;
    final int incarnation;
    private final World world;
    private final long offset;
    private final double rate;
    private long pausedUntil;
    private long diedAt = -1;
    final Takeover takeover = new Takeover();
    LeaseStateMachine machine;
    Election election;
    final List<Claim> claims = new ArrayList<>();
    final List<LeadershipChanged> events = new ArrayList<>();
    long releaseBegan = -1;

    Proc(World world, String name, int incarnation, long offset, double rate) {
        this.world = world;
        this.name = name;
        this.incarnation = incarnation;
        this.offset = offset;
        this.rate = rate;
    }

    /** This process's monotonic clock. */
    long clock() {
        return offset + (long) (world.now() * rate);
    }

    double trueTime(long local) {
        return (local - offset) / rate;
    }

    long trueDelay(long localDelay) {
        return (long) Math.ceil(localDelay / rate);
    }

    long pausedUntil() {
        return pausedUntil;
    }

    boolean dead() {
        return diedAt >= 0;
    }

    boolean paused() {
        return pausedUntil > world.now();
    }

    /** SIGSTOP, or a long pause of every thread. */
    void pause(long duration) {
        pausedUntil = Math.max(pausedUntil, world.now() + duration);
    }

    /** kill -9, or the end of a process that left: its claims end now at the latest. */
    void die() {
        if (dead()) {
            return;
        }
        diedAt = world.now();
        for (Claim claim : claims) {
            claim.until = Math.min(claim.until, diedAt);
        }
    }

    Election.Scheduling scheduling() {
        Proc self = this;
        return new Election.Scheduling() {
            private long next;
            private final Set<Long> cancelled = new HashSet<>();

            @Override
            public long setTimer(long delayNanos, Runnable task) {
                long handle = ++next;
                world.after(trueDelay(delayNanos) + world.between(0, 5_000_000), self, () -> {
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

    ClaimListener claimListener() {
        return new ClaimListener() {
            @Override
            public void claimed(String instance, String node, long token, long fromNanos, long untilNanos) {
                if (dead()) {
                    return; // code of a process that died meanwhile, never acted on
                }
                Claim last = claims.isEmpty() ? null : claims.get(claims.size() - 1);
                if (last != null && last.token == token && last.until >= trueTime(fromNanos)) {
                    last.until = Math.max(last.until, trueTime(untilNanos));
                } else {
                    claims.add(new Claim(Proc.this, token, trueTime(fromNanos), trueTime(untilNanos)));
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

    @Override
    public String toString() {
        return name + "#" + incarnation;
    }
}
