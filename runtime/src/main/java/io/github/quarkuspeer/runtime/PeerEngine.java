package io.github.quarkuspeer.runtime;

import java.util.concurrent.CompletableFuture;

import io.github.quarkuspeer.runtime.election.Election;

/**
 * The machinery of one kind of peer on this node, behind which {@link PeerManager} knows nothing of how a kind
 * elects: each kind ({@code database}, {@code isolated}, and {@code global} in its own extension) provides one as a
 * CDI bean, which the build registers only when some instance uses that kind.
 * <p>
 * The manager adds every instance of the engine's kind, then starts the engine once the application has started,
 * and stops it when the application stops.
 */
public interface PeerEngine {

    /** The kind this engine runs. */
    PeerKind kind();

    /**
     * Creates the peer of one instance of this kind; called for each before {@link #start()}.
     *
     * @param settings the instance's validated settings
     * @param events receives the changes of this node's leadership of the instance; returns at once
     * @throws io.quarkus.runtime.configuration.ConfigurationException naming the key and value that prevent it
     */
    ManagedPeer add(InstanceSettings settings, Election.Listener events);

    /**
     * Where an instance of this kind elects, for the line the manager logs at start: the table and datasource of
     * the {@code database} kind, the members of the {@code global} kind.
     */
    String describe(InstanceSettings settings);

    /**
     * Starts every instance added.
     *
     * @return completes once every instance has had a first chance to lead (the manager waits for it a little, so
     *         that a node that can lead does so by the time the application is up)
     */
    CompletableFuture<Void> start();

    /**
     * Gives up every instance for good: no instance claims leadership any more when it returns, and every lease
     * this node held is released so that another node takes over at once, unless that took longer than the
     * engine's own bound.
     */
    void stop();
}
