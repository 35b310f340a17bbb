package io.github.quarkuspeer.runtime;

import java.util.List;

/**
 * The read-only view of every instance on this node: all that the adapters (health checks, metrics, Dev UI) read.
 * Each status is a snapshot of the published state; taking one touches neither the database nor the cluster.
 */
public interface PeerStatuses {

    /**
     * The status of an instance now.
     *
     * @throws java.util.NoSuchElementException if the application has no instance of that name
     */
    PeerStatus status(String instance);

    /** The status of every instance now, the default instance first if it exists. */
    List<PeerStatus> statuses();
}
