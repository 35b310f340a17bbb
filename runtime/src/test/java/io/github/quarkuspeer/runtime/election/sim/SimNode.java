package io.github.quarkuspeer.runtime.election.sim;

import java.util.ArrayList;
import java.util.List;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;

/**
 * One process of the simulated cluster running one election: its own monotonic clock (offset and rate of its own),
 * its own owner id, and the events that a paused process does not run and a crashed one never runs.
 */
final class SimNode {

    /** An interval during which this process could answer {@code isLeader() == true}, in true time. */
    static final class Claim {
        final SimNode node;
        final long token;
        final double from;
        double until;

        Claim(SimNode node, long token, double from, double until) {
            this.node = node;
            this.token = token;
            this.from = from;
            this.until = until;
        }

        @Override
        public String toString() {
            return String.format("%s token %d [%.3f ms, %.3f ms]", node, token, from / 1e6, until / 1e6);
        }
    }

    /** An announced change of leadership, at the true time it was announced. */
    record Announced(LeadershipChanged event, long at) {
    }

    final String name;
    final int incarnation;
    private final SimWorld world;
    private final long offset;
    private final double rate;
    private long pausedUntil;
    private long crashedAt = -1;
    Election election;
    final List<Claim> claims = new ArrayList<>();
    final List<Announced> events = new ArrayList<>();
    long releaseBegan = -1;

    SimNode(SimWorld world, String name, int incarnation, long offset, double rate) {
        this.world = world;
        this.name = name;
        this.incarnation = incarnation;
        this.offset = offset;
        this.rate = rate;
    }

    /** This process's monotonic clock: any offset, and a rate a little off the true one. */
    long clock() {
        return offset + (long) (world.now() * rate);
    }

    /** The true time at which this process's clock reads {@code local}. */
    double trueTime(long local) {
        return (local - offset) / rate;
    }

    /** The true delay after which this process's clock has advanced by {@code localDelay}. */
    long trueDelay(long localDelay) {
        return (long) Math.ceil(localDelay / rate);
    }

    long pausedUntil() {
        return pausedUntil;
    }

    boolean crashed() {
        return crashedAt >= 0;
    }

    /** Stops every thread of the process for {@code duration}: SIGSTOP, a long GC pause. */
    void pause(long duration) {
        pausedUntil = Math.max(pausedUntil, world.now() + duration);
    }

    /** Kills the process: kill -9. Its claims end now. */
    void crash() {
        if (crashed()) {
            return;
        }
        crashedAt = world.now();
        for (Claim claim : claims) {
            claim.until = Math.min(claim.until, crashedAt);
        }
    }

    void notifyReleased() {
        election.wake(true);
    }

    Election.Scheduling scheduling() {
        SimNode self = this;
        return new Election.Scheduling() {
            private long next;
            private final java.util.Set<Long> cancelled = new java.util.HashSet<>();

            @Override
            public long setTimer(long delayNanos, Runnable task) {
                long handle = ++next;
                // a timer never fires early, and may fire a little late
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

    ClaimListener claimListener() {
        return new ClaimListener() {
            @Override
            public void claimed(String instance, String node, long token, long fromNanos, long untilNanos) {
                Claim last = claims.isEmpty() ? null : claims.get(claims.size() - 1);
                if (last != null && last.token == token && last.until >= trueTime(fromNanos)) {
                    last.until = Math.max(last.until, trueTime(untilNanos));
                } else {
                    claims.add(new Claim(SimNode.this, token, trueTime(fromNanos), trueTime(untilNanos)));
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

    Election.Listener listener() {
        return event -> events.add(new Announced(event, world.now()));
    }

    Timing timing() {
        return election.timing();
    }

    @Override
    public String toString() {
        return name + "#" + incarnation;
    }
}
