package io.github.quarkuspeer.runtime.election;

import java.time.Duration;

/**
 * The timing of one instance's elections, in nanoseconds, with the quantities derived from it.
 *
 * @param intervalNanos how often a follower checks for leadership
 * @param leaseNanos how long a won or renewed lease lasts
 */
public record Timing(long intervalNanos, long leaseNanos) {

    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000 * MILLI;

    /** The smallest delay between two rounds of one instance, so that no schedule can spin. */
    public static final long MIN_DELAY_NANOS = 20 * MILLI;

    public static Timing of(Duration interval, Duration lease) {
        return new Timing(interval.toNanos(), lease.toNanos());
    }

    public Duration lease() {
        return Duration.ofNanos(leaseNanos);
    }

    /**
     * How much earlier than its lease a leader stops claiming leadership: 1% of the lease plus 100 ms. It absorbs a
     * difference in clock rate between this node and the database of up to 1%, and leaves room for the statement
     * that takes over to be in flight.
     */
    public long safetyMarginNanos() {
        return safetyMarginNanos(leaseNanos);
    }

    /** The {@link #safetyMarginNanos() safety margin} of a lease of {@code leaseNanos}. */
    public static long safetyMarginNanos(long leaseNanos) {
        return leaseNanos / 100 + 100 * MILLI;
    }

    /**
     * How often the leader renews: half the interval, or half the lease when the lease is the shorter, so that a
     * renewal always lands well inside the lease.
     */
    public long renewPeriodNanos() {
        return Math.min(intervalNanos, leaseNanos) / 2;
    }

    /**
     * The delay before retrying after the given number of consecutive failed rounds: 1 s, 2 s, 4 s ... capped at
     * half the interval.
     */
    public long backoffNanos(int failures) {
        int doublings = Math.min(Math.max(failures, 1) - 1, 30);
        long delay = SECOND << doublings;
        return Math.max(MIN_DELAY_NANOS, Math.min(delay, intervalNanos / 2));
    }

    /**
     * How long before the leader's lease expires a follower looks again: 1% of the lease, from 20 ms to 500 ms. By
     * then a live leader has renewed (it renews at half the lease), so the follower sees the new lease and its view
     * of who leads never lapses; if it has not, the follower comes back just after the expiry. Looking this late
     * also makes a follower see the leader's second renewal as often as possible, so that it looks about once per
     * lease, as a follower polling at the interval would.
     */
    public long followerLeadNanos() {
        return Math.max(20 * MILLI, Math.min(leaseNanos / 100, 500 * MILLI));
    }

    /**
     * The window over which followers spread that look: 1% of the lease, at most 500 ms. Each follower picks its own
     * moment in it, so that the followers of a large cluster do not all send their statement at the same instant.
     */
    public long followerSpreadNanos() {
        return Math.min(leaseNanos / 100, 500 * MILLI);
    }

    /**
     * The largest delay a follower adds after the moment the leader's lease expires, to spread the followers that
     * all wake for it: 2% of the lease, at most 200 ms.
     */
    public long expiryJitterNanos() {
        return Math.min(leaseNanos / 50, 200 * MILLI);
    }
}
