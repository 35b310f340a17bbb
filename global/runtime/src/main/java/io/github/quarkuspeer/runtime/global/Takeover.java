package io.github.quarkuspeer.runtime.global;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.github.quarkuspeer.runtime.election.Timing;

/**
 * The takeover rule of SPEC 6 on one node: how long a new Raft leader must wait before it may submit a lease of its
 * own.
 * <p>
 * Every lease entry in this node's log reached it after its submitter took {@code t_sent}; a holder leads at most
 * until {@code t_sent + lease - margin} by its own clock, and only on an entry committed in its term, which Raft's
 * leader completeness puts into the log of every later leader. So a node that leads a later Raft term may claim once
 * {@code T0 + lease + margin} has passed, where {@code T0} is the moment this node stored the last lease entry of
 * another owner: the margin on both sides absorbs clock-rate differences of up to 1% between the two nodes. If that
 * owner's own release entry follows its last lease entry, the owner stopped claiming before it wrote it, and the wait
 * ends at once.
 * <p>
 * It is fed with every entry as it is stored: appended to the log (as leader or follower), read from the log or the
 * snapshot when the log is opened, or installed from a leader's snapshot. Those read at the opening or from a snapshot
 * count as stored at that moment: later than their real storing, which only lengthens the wait. Entries removed from
 * the log again (an uncommitted tail replaced by a new leader) are not forgotten, for the same reason.
 * <p>
 * Thread-safe; times are {@link System#nanoTime()} values.
 */
public final class Takeover {

    /**
     * A lease entry as this node stored it.
     *
     * @param entry the lease entry
     * @param storedAt when this node stored it
     * @param released whether a release of the same owner was stored after it
     */
    public record Stored(LeaseEntry entry, long storedAt, boolean released) {

        /** The moment from which a node that stored this entry may claim: {@code T0 + lease + margin}. */
        public long claimableAt() {
            long lease = TimeUnit.MILLISECONDS.toNanos(entry.leaseMillis());
            return storedAt + lease + Timing.safetyMarginNanos(lease);
        }
    }

    /** The most recently stored lease entry, and the most recent one of any other owner than its owner. */
    private Stored last;
    private Stored lastOfAnother;

    /** Records an entry that this node stored at {@code now}; a release entry, or a lease entry. */
    public synchronized void stored(LeaseEntry entry, long now) {
        if (entry.released()) {
            // a release counts only for the lease entries of its own owner that came before it
            if (last != null && last.entry().owner().equals(entry.owner())) {
                last = new Stored(last.entry(), last.storedAt(), true);
            }
            if (lastOfAnother != null && lastOfAnother.entry().owner().equals(entry.owner())) {
                lastOfAnother = new Stored(lastOfAnother.entry(), lastOfAnother.storedAt(), true);
            }
            return;
        }
        if (last != null && !last.entry().owner().equals(entry.owner())) {
            lastOfAnother = last;
        }
        last = new Stored(entry, now, false);
    }

    /**
     * The entry that makes {@code owner} wait: the last lease entry of another owner that this node stored, unless
     * its own release followed it.
     *
     * @param owner the owner that would claim; {@code null} for the last lease entry of any owner
     * @return the entry, whose {@link Stored#claimableAt()} ends the wait; empty if {@code owner} need not wait
     */
    public synchronized Optional<Stored> blocking(String owner) {
        Stored other = last == null || !last.entry().owner().equals(owner) ? last : lastOfAnother;
        return other == null || other.released() ? Optional.empty() : Optional.of(other);
    }

    /**
     * The entry that makes {@code owner} wait at {@code now}, while the wait lasts.
     *
     * @return the entry, if {@code owner} must still wait at {@code now}
     */
    public Optional<Stored> waiting(String owner, long now) {
        return blocking(owner).filter(stored -> now - stored.claimableAt() < 0);
    }
}
