package io.github.quarkuspeer.runtime.election;

/**
 * What the lease store reported about an instance at the end of a statement: who holds its live lease.
 *
 * @param node the leader's node name
 * @param owner the leader's per-process identity
 * @param fencingToken the token of the leader's term
 * @param remainingNanos how long the lease had left when the statement ran, by the database clock; always positive
 * @param written whether this very statement wrote the lease of the caller (took or renewed it). Only such an
 *        answer may extend the caller's leadership: a row read, or read from an older snapshot, proves nothing about
 *        how long it will last
 */
public record Observation(String node, String owner, long fencingToken, long remainingNanos, boolean written) {

    /** A lease seen without having been written by the statement that saw it. */
    public static Observation seen(String node, String owner, long fencingToken, long remainingNanos) {
        return new Observation(node, owner, fencingToken, remainingNanos, false);
    }
}
