package io.github.quarkuspeer.runtime;

import io.github.quarkuspeer.Peer;

/** A peer as its {@link PeerEngine} runs it: the public API plus what the adapters read and the manager drives. */
public interface ManagedPeer extends Peer {

    /** A consistent, read-only view of the instance, for health checks, metrics and the Dev UI. */
    PeerStatus status();

    /**
     * The periodic check the scheduler runs at the instance's interval: a kind whose elections run on their own
     * timers uses it to restart one whose timer was lost.
     */
    default void tick() {
    }

    /** Whether {@link #resign()} applies to this instance: the Dev UI offers the action only then. */
    default boolean canResign() {
        return false;
    }

    /**
     * Gives up this node's leadership of the instance, if it leads, and runs for it again: the Dev UI's action, in
     * dev mode only; nothing in production calls it (SPEC 9). What "again" means is the kind's to say.
     *
     * @throws UnsupportedOperationException if the kind's answer is fixed
     */
    default void resign() {
        throw new UnsupportedOperationException("instance " + instance() + " cannot resign: its answer is fixed");
    }
}
