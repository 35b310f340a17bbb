package io.github.quarkuspeer.runtime.election;

/**
 * Hears, on the election's own thread and under its lock, every change of the interval during which this node may
 * claim leadership: the exact bounds that {@code isLeader()} works with. Internal: it lets a test node keep a
 * history that a checker can prove free of overlaps.
 * <p>
 * Times are {@link System#nanoTime()} values. A claim of a term may be reported several times as renewals push
 * its end further; {@link #ended} reports an end earlier than the last one claimed.
 */
public interface ClaimListener {

    /**
     * This node may answer {@code isLeader() == true} for the term of {@code token} from {@code fromNanos} (taken
     * before the claim was published) until {@code untilNanos} (the local deadline), unless it ends earlier.
     */
    void claimed(String instance, String node, long token, long fromNanos, long untilNanos);

    /** The claim of {@code token} ended at {@code atNanos} (taken after it was withdrawn), before its deadline. */
    void ended(String instance, String node, long token, long atNanos);

    /** Hears nothing. */
    ClaimListener NONE = new ClaimListener() {
        @Override
        public void claimed(String instance, String node, long token, long fromNanos, long untilNanos) {
        }

        @Override
        public void ended(String instance, String node, long token, long atNanos) {
        }
    };
}
