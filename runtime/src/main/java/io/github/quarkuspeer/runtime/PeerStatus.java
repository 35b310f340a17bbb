package io.github.quarkuspeer.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What is known of one instance on this node at one moment: everything the adapters (health, metrics, Dev UI)
 * show, read from the published state without touching the database or the cluster.
 *
 * @param instance the instance name
 * @param kind the kind it runs as
 * @param node this node's name
 * @param leader whether this node leads
 * @param leaderNode the node that leads, as last observed
 * @param fencingToken the token of this node's term, while it leads
 * @param leaseLeft how long this node still leads by its local deadline, while it leads
 * @param lease the instance's lease duration
 * @param failingFor how long its elections have failed without a break (zero when the last one succeeded)
 * @param lastError the error of the last failed election while they fail
 */
public record PeerStatus(String instance, PeerKind kind, String node, boolean leader, Optional<String> leaderNode,
        OptionalLong fencingToken, Optional<Duration> leaseLeft, Duration lease, Duration failingFor,
        Optional<String> lastError) {

    /** Whether elections have failed for longer than the lease: the readiness check is then DOWN. */
    public boolean failing() {
        return lastError.isPresent() && failingFor.compareTo(lease) > 0;
    }
}
