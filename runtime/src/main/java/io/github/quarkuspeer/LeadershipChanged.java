package io.github.quarkuspeer;

/**
 * CDI event fired when this node gains or loses leadership of an instance.
 * <p>
 * The event is qualified with {@code @Named(instance)}; an unqualified observer sees the events of every instance.
 * Observers run on a worker thread, one event at a time and in order for each instance, and never delay an
 * election or a renewal.
 *
 * <pre>{@code
 * void onBilling(@Observes @Named("billing") LeadershipChanged change) {
 *     if (change.leader()) {
 *         poller.start(change.fencingToken());
 *     } else {
 *         poller.stop();
 *     }
 * }
 * }</pre>
 *
 * @param instance the instance, {@value Peer#DEFAULT_INSTANCE} for the default one
 * @param node this node's name
 * @param leader {@code true} when this node became leader, {@code false} when it stopped leading
 * @param fencingToken the token of the term that begins ({@link Reason#ELECTED}) or ends
 * @param reason why leadership changed
 */
public record LeadershipChanged(String instance, String node, boolean leader, long fencingToken, Reason reason) {

    /** Why leadership changed. */
    public enum Reason {
        /** This node won the election and leads from now on. */
        ELECTED,
        /**
         * This node stopped leading without choosing to: another node holds the lease, or the lease ran out
         * before it could be renewed (the database was unreachable, or the node was paused).
         */
        LOST,
        /** This node gave leadership up on shutdown, so that another node can take over at once. */
        RESIGNED
    }
}
