package io.github.quarkuspeer;

import java.util.Collection;

/**
 * All peer instances of this application, for code that picks the instance at run time.
 *
 * <pre>{@code
 * @Inject Peers peers;
 *
 * boolean leads(String tenant) {
 *     return peers.get(tenant).isLeader();
 * }
 * }</pre>
 */
public interface Peers {

    /**
     * The peer of an instance.
     *
     * @param instance the instance name, {@value Peer#DEFAULT_INSTANCE} for the default instance
     * @return its peer
     * @throws java.util.NoSuchElementException if no instance of that name is configured; the message names it and
     *         the instances that exist
     */
    Peer get(String instance);

    /**
     * Every configured instance, the default one first if it is configured, then the named ones by name.
     *
     * @return an unmodifiable collection of peers
     */
    Collection<Peer> all();
}
