package io.github.quarkuspeer;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Leadership of one peer instance, as seen from this node.
 * <p>
 * Every instance configured under {@code quarkus.peer.*} has exactly one {@code Peer} bean. The default instance is
 * injected plain, a named one with the CDI {@code @Named} qualifier:
 *
 * <pre>{@code
 * @Inject Peer peer;                        // quarkus.peer.*
 * @Inject @Named("billing") Peer billing;   // quarkus.peer."billing".*
 *
 * void cleanup() {
 *     if (peer.isLeader()) {
 *         deleteExpiredSessions();          // runs on one node of the cluster
 *     }
 * }
 * }</pre>
 *
 * All methods are cheap reads of state that the election keeps up to date in the background: none of them blocks,
 * touches the database or throws.
 */
public interface Peer {

    /** The name of the default instance, as returned by {@link #instance()} and used in health checks and logs. */
    String DEFAULT_INSTANCE = "<default>";

    /**
     * The instance this peer elects a leader for.
     *
     * @return the instance name, {@value #DEFAULT_INSTANCE} for the default instance
     */
    String instance();

    /**
     * The name this node shows to the other nodes ({@code quarkus.peer.node}, by default the host name).
     * <p>
     * It is a label, not an identity: two processes with the same node name are still told apart and never both
     * lead.
     *
     * @return this node's name
     */
    String node();

    /**
     * Whether this node leads the instance now.
     * <p>
     * True only while this node holds a lease that has not expired by its local deadline, which passes before any
     * other node can take the lease over. So a node that is paused, or cut off from the database, stops answering
     * {@code true} in time, even if its election never runs again. False while the peer is starting, stopped or
     * cannot reach the database past its lease.
     * <p>
     * A read of one field and of the monotonic clock: call it as often as you like.
     *
     * @return {@code true} if this node is the leader
     */
    boolean isLeader();

    /**
     * The node that leads the instance, as last observed.
     * <p>
     * At most one check interval old, and never a lease this node knows to have expired. Empty when no node leads,
     * or when this node cannot tell.
     *
     * @return the leader's node name, or empty
     */
    Optional<String> getLeader();

    /**
     * The fencing token of this node's current term as leader.
     * <p>
     * Present only while {@link #isLeader()} is true. It strictly increases every time leadership of the instance
     * changes hands, so a resource that remembers the highest token it has seen can refuse work from a leader that
     * has been replaced:
     *
     * <pre>{@code
     * peer.fencingToken().ifPresent(token -> store.writeIfNewer(token, report));
     * }</pre>
     *
     * @return the token while leading, otherwise empty
     */
    OptionalLong fencingToken();
}
