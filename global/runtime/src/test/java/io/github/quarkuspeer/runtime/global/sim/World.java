package io.github.quarkuspeer.runtime.global.sim;

import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Simulated true time and the events that happen in it, on one thread, in an order fixed by the seed.
 * <p>
 * A blocking call (a round waiting for its entry to be committed) does not block the simulation: the caller runs the
 * world's events in its own stack frame ({@link #runUntil}) until its answer has arrived or its timeout has passed.
 * Other processes' rounds may run, and nest, meanwhile, as threads of separate processes would.
 */
final class World {

    private record Event(long at, long sequence, Proc owner, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    final Random random;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long now;
    private long sequence;
    private long processed;

    World(long seed) {
        this.random = new Random(seed);
    }

    /** The true time, in nanoseconds since the schedule began. */
    long now() {
        return now;
    }

    long processed() {
        return processed;
    }

    /**
     * Runs {@code action} at {@code at} (not before now). An event owned by a process waits while it is paused and
     * never runs once it has died; an event without an owner (the network, the schedule) always runs.
     */
    void at(long at, Proc owner, Runnable action) {
        events.add(new Event(Math.max(at, now), sequence++, owner, action));
    }

    void after(long delay, Proc owner, Runnable action) {
        at(now + Math.max(0, delay), owner, action);
    }

    /** Runs events in order until {@code done} holds, or until nothing is due by {@code limit}. */
    void runUntil(BooleanSupplier done, long limit) {
        while (!done.getAsBoolean()) {
            Event next = events.peek();
            if (next == null || next.at > limit) {
                return;
            }
            events.poll();
            now = next.at;
            Proc owner = next.owner;
            if (owner != null) {
                if (owner.dead()) {
                    continue;
                }
                if (owner.pausedUntil() > now) {
                    at(owner.pausedUntil(), owner, next.action);
                    continue;
                }
            }
            processed++;
            next.action.run();
        }
    }

    /** Runs every event up to {@code until}, then sets the time to it. */
    void runTo(long until) {
        runUntil(() -> false, until);
        now = Math.max(now, until);
    }

    long between(long min, long max) {
        return max <= min ? min : min + (long) (random.nextDouble() * (max - min));
    }

    boolean chance(double probability) {
        return random.nextDouble() < probability;
    }
}
