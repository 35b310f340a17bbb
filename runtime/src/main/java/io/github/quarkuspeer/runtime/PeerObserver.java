package io.github.quarkuspeer.runtime;

import java.util.List;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.election.Decisions.Outcome;

/**
 * Hears what happens to the instances on this node as it happens, for adapters that count it (metrics): a bean of
 * this type is told of every round and every change of leadership. Its methods run on the elections' own threads,
 * some under an election's lock: they must only count, and return at once.
 */
public interface PeerObserver {

    /** The instances exist, as they are when the application starts; nothing has been elected yet. */
    default void started(List<PeerStatus> instances) {
    }

    /**
     * A round of an instance ended.
     *
     * @param instance the instance
     * @param outcome what the round found, {@link Outcome#FAILED} if its statement failed
     * @param tookNanos how long it took, from its first statement to the answer or the failure
     */
    void round(String instance, Outcome outcome, long tookNanos);

    /** This node gained or lost leadership of an instance; the CDI event follows on a worker thread. */
    void changed(LeadershipChanged event);
}
