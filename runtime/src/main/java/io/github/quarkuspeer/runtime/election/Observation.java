package io.github.quarkuspeer.runtime.election;

/**
 * What the lease store reported about an instance at the end of a round: who holds its live lease.
 *
 * @param node the leader's node name
 * @param owner the leader's per-process identity
 * @param fencingToken the token of the leader's term
 * @param remainingNanos how long the lease had left when the statement ran, by the database clock; always positive
 */
public record Observation(String node, String owner, long fencingToken, long remainingNanos) {
}
