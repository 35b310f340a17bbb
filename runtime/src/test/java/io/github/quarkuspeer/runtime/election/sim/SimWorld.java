package io.github.quarkuspeer.runtime.election.sim;

import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Simulated true time and the events that happen in it, on one thread, in an order fixed by the seed; shared by the
 * simulations of the database kind (here) and of the global kind.
 * <p>
 * A blocking call of an election (a statement sent to the simulated database, a round waiting for its entry to be
 * committed) does not block the simulation: the caller runs the world's events in its own stack frame
 * ({@link #runUntil}) until its answer has arrived or its timeout has passed. Other processes' rounds may then run,
 * and nest, meanwhile; a caller whose answer arrived while a nested round was still waiting for its own gets it only
 * once that round has returned, which is just a later reply, as a network or a paused thread may deliver it.
 */
public final class SimWorld {

    private record Event(long at, long sequence, SimProcess owner, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    public final Random random;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long now;
    private long sequence;
    private long processed;

    public SimWorld(long seed) {
        this.random = new Random(seed);
    }

    /** The true time, in nanoseconds from the start of the schedule; the database's clock. */
    public long now() {
        return now;
    }

    public long processed() {
        return processed;
    }

    /**
     * Runs {@code action} at {@code at} (not before now). An event owned by a process waits while it is paused and
     * never runs once it has died; an event without an owner (the network, the schedule) always runs.
     */
    public void at(long at, SimProcess owner, Runnable action) {
        events.add(new Event(Math.max(at, now), sequence++, owner, action));
    }

    public void after(long delay, SimProcess owner, Runnable action) {
        at(now + Math.max(0, delay), owner, action);
    }

    /** Runs events in order until {@code done} holds, or until the queue has nothing before {@code limit}. */
    public void runUntil(BooleanSupplier done, long limit) {
        while (!done.getAsBoolean()) {
            Event next = events.peek();
            if (next == null || next.at > limit) {
                return;
            }
            events.poll();
            now = next.at;
            SimProcess owner = next.owner;
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
    public void runTo(long until) {
        runUntil(() -> false, until);
        now = Math.max(now, until);
    }

    /** A duration drawn uniformly from {@code [min, max]}. */
    public long between(long min, long max) {
        return max <= min ? min : min + (long) (random.nextDouble() * (max - min));
    }

    public boolean chance(double probability) {
        return random.nextDouble() < probability;
    }
}
