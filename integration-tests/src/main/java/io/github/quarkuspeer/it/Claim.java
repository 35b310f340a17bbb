package io.github.quarkuspeer.it;

import java.time.Duration;

/**
 * One term of leadership as a node recorded it: process {@code pid} could answer {@code isLeader() == true} for
 * {@code instance} only between {@code from} and {@code until}.
 * <p>
 * Times are {@link System#nanoTime()} values, which every process of a Linux host reads from the same clock
 * (the monotonic clock, counting from boot, so plain comparisons order them). The interval is half-open: a claim
 * that ends at the instant another begins does not overlap it.
 *
 * @param pid the process that claimed
 * @param node the name it runs under (two processes may share one)
 * @param instance the peer instance
 * @param token the fencing token of the term
 * @param from when the claim began
 * @param until when it ended: its last deadline, or the moment it was given up if that came first
 */
public record Claim(long pid, String node, String instance, long token, long from, long until) {

    /** Whether this claim and {@code other} held leadership at a common instant. */
    public boolean overlaps(Claim other) {
        return from < other.until && other.from < until;
    }

    /** Whether this claim covers the instant {@code nanos}. */
    public boolean covers(long nanos) {
        return from <= nanos && nanos < until;
    }

    public Duration duration() {
        return Duration.ofNanos(until - from);
    }

    @Override
    public String toString() {
        return instance + " by " + node + " (pid " + pid + ", token " + token + ") for " + History.millis(until - from)
                + " from " + from + " to " + until;
    }
}
