package io.github.quarkuspeer.runtime.global;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;
import io.github.quarkuspeer.runtime.election.Timing;

/**
 * The lease store of a {@code global} instance: leases are entries of the instance's Raft log, so that the
 * {@link io.github.quarkuspeer.runtime.election.Election} of the {@code database} kind runs this kind unchanged, with
 * the same deadline rule (SPEC 5.5): a node leads until {@code t_sent + lease - margin}, where {@code t_sent} was taken
 * before its own entry was submitted, and only an entry this very call committed extends it.
 *
 * <h2>A round on the Raft leader ({@link #acquireOrRenew})</h2>
 * <ol>
 * <li>If this owner's lease was committed in the current Raft term but its election no longer leads by its deadline
 * ({@code continueTerm == false}), the term is spent for it: a new term of leadership needs a token greater than every
 * token it claimed, and the token is the Raft term, which only an election advances. The member steps down (leaves
 * and rejoins the group, so that the group elects a leader of a new term) and the round fails.</li>
 * <li>If another owner's lease entry is the last this node stored, it waits: no entry is submitted before
 * {@code T0 + lease + margin} ({@link Takeover}), unless that owner's release followed its entry. The answer shows
 * that owner's lease, not written, until then.</li>
 * <li>Otherwise it submits this owner's lease entry, carrying the current term, and waits (bounded) until it is
 * committed by a majority and applied. It is this owner's lease only if the member still leads the same term: a
 * future that completes after the leadership changed proves nothing.</li>
 * </ol>
 * A leader whose entries keep failing for longer than the lease steps down too: jgroups-raft elects only on view
 * changes, so a leader that cannot commit (stalled disks, a broken log) would otherwise be leader forever.
 *
 * <h2>A round elsewhere</h2>
 * A follower answers the last lease it applied, never written, while it can still be live (for one lease after this
 * node applied it), so that followers know who leads. If that lease is this owner's own, this node held it as Raft
 * leader and no longer leads the group: the round fails, and the election keeps leadership only until its deadline.
 * A member cut off from a majority (no Raft leader for a while), quarantined, or whose log failed, fails every round:
 * the readiness check goes DOWN once that has lasted longer than the lease.
 *
 * <h2>Release</h2>
 * Only an owner that led (one of its entries was committed here, by this store) writes a release, and only as Raft
 * leader: an owner that never led has no lease to give up, and a release of another owner must not end anyone's wait.
 */
public final class RaftLeaseStore implements LeaseStore {

    /** What the store needs from the instance's Raft group on this node. */
    public interface Group {

        /**
         * The Raft term this member leads now, or -1 if it does not lead (or knows of no leader). Two readings in a
         * row must agree before a caller trusts it.
         */
        long leaderTerm();

        /** Whether some member leads the group, as this member knows now. */
        boolean leaderKnown();

        /**
         * Submits an entry as leader.
         *
         * @return completes once the entry is committed and applied here, or exceptionally
         * @throws Exception if this member does not lead
         */
        CompletableFuture<?> submit(byte[] entry) throws Exception;

        /** The last lease this member applied, or {@code null}. */
        LeaseStateMachine.Applied applied();

        /** The takeover rule as this member's stored entries make it. */
        Takeover takeover();

        /** Leaves the group and rejoins it, asynchronously, so that the group elects a leader of a new term. */
        void stepDown(String why);

        /** Why this member cannot take part in the group now (quarantined, log failed, rejoining), or {@code null}. */
        String unavailable();

        /** How long no leader has been known to this member, 0 while one is. */
        long leaderlessForNanos();
    }

    /** The group cannot serve the round: the reason is the message. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    private final Group group;
    private final LongSupplier clock;
    private final long commitTimeoutNanos;
    private final long leaderlessGraceNanos;
    private final long leaseNanos;
    private final boolean candidate;

    private final Object lock = new Object();
    // guarded by lock
    private long committedTerm = -1;
    private long spentTerm = -1;
    private boolean led;
    private long failingTerm = -1;
    private long failingSince;

    /**
     * @param group the instance's group on this node
     * @param lease the instance's lease
     * @param candidate whether this node may lead: a member that may not steps down whenever the group elects it
     * @param clock the monotonic clock
     */
    public RaftLeaseStore(Group group, Duration lease, boolean candidate, LongSupplier clock) {
        this.group = group;
        this.candidate = candidate;
        this.clock = clock;
        this.leaseNanos = lease.toNanos();
        this.commitTimeoutNanos = commitTimeoutOf(lease).toNanos();
        this.leaderlessGraceNanos = leaderlessGraceOf(lease).toNanos();
    }

    /**
     * How long a round waits for its entry to be committed: the lease less its safety margin, at most 10 s. Longer is
     * useless: an answer after the deadline it could give cannot be led on. Shorter would give up on a commit that
     * waits for a follower to catch up (a member that just rejoined is brought up to date in steps of RAFT's resend
     * interval), and retry only after a backoff.
     */
    public static Duration commitTimeoutOf(Duration lease) {
        long lessMargin = lease.toNanos() - Timing.safetyMarginNanos(lease.toNanos());
        return clamp(Duration.ofNanos(lessMargin), Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    /**
     * How long a member may know no leader before its rounds fail: half the lease, from 2 s to 10 s. Long enough for a
     * group to form or to elect after a failure, so that a start or a failover logs no warning.
     */
    public static Duration leaderlessGraceOf(Duration lease) {
        return clamp(lease.dividedBy(2), Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }

    @Override
    public Optional<Observation> acquireOrRenew(String instance, String node, String owner, Duration lease,
            boolean continueTerm, Gate gate) throws Exception {
        if (!gate.open()) {
            throw new Refused();
        }
        available();
        long term = leaderTerm();
        if (term < 0) {
            return asFollower(owner);
        }
        synchronized (lock) {
            // 1. a term whose lease ran out cannot be led again: a new term needs a new Raft term
            if (term == committedTerm && !continueTerm) {
                spentTerm = term;
                group.stepDown("its lease of Raft term " + term + " ran out without a committed renewal");
            }
            if (term == spentTerm) {
                throw new Unavailable("this node's lease of Raft term " + term + " ran out; it steps down so that "
                        + "the group elects a leader of a new term");
            }
        }
        // 2. the takeover rule
        long now = clock.getAsLong();
        Optional<Takeover.Stored> waiting = group.takeover().waiting(owner, now);
        if (waiting.isPresent()) {
            Takeover.Stored other = waiting.get();
            return Optional.of(Observation.seen(other.entry().node(), other.entry().owner(), other.entry().term(),
                    other.claimableAt() - now));
        }
        // 3. this owner's lease, committed in this term
        byte[] entry = LeaseEntry.lease(instance, node, owner, term, lease.toMillis()).encode();
        try {
            commit(entry);
        } catch (Exception e) {
            failed(term);
            throw e;
        }
        if (leaderTerm() != term) {
            failed(term);
            throw new Unavailable("the leadership of the group changed while this node's lease entry of Raft term "
                    + term + " was in flight");
        }
        synchronized (lock) {
            committedTerm = term;
            led = true;
            failingTerm = -1;
        }
        return Optional.of(new Observation(node, owner, term, lease.toNanos(), true));
    }

    @Override
    public Optional<Observation> read(String instance, Gate gate) throws Exception {
        if (!gate.open()) {
            throw new Refused();
        }
        available();
        if (leaderTerm() < 0) {
            return applied();
        }
        if (!candidate) {
            group.stepDown("it may not lead (candidate=false), and the group elected it");
            throw new Unavailable("this node may not lead, and the group elected it; it steps down");
        }
        Optional<Takeover.Stored> last = group.takeover().waiting(null, clock.getAsLong());
        return last.map(s -> Observation.seen(s.entry().node(), s.entry().owner(), s.entry().term(),
                s.claimableAt() - clock.getAsLong())).filter(o -> o.remainingNanos() > 0);
    }

    @Override
    public boolean release(String instance, String owner) throws Exception {
        synchronized (lock) {
            if (!led) {
                return false; // only an owner that led has a lease to give up
            }
        }
        long term = leaderTerm();
        if (term < 0 || group.unavailable() != null) {
            return false; // not the Raft leader: the lease expires by itself
        }
        commit(LeaseEntry.release(instance, "", owner, term).encode());
        return true;
    }

    private void commit(byte[] entry) throws Exception {
        CompletableFuture<?> committed = group.submit(entry);
        try {
            committed.get(commitTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new Unavailable("the group did not commit the entry within "
                    + TimeUnit.NANOSECONDS.toMillis(commitTimeoutNanos) + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new Unavailable("the group did not commit the entry: " + (cause == null ? e : cause.getMessage()));
        }
    }

    /** A leader that cannot commit for longer than the lease is never replaced unless it leaves: it leaves. */
    private void failed(long term) {
        boolean stepDown = false;
        synchronized (lock) {
            long now = clock.getAsLong();
            if (failingTerm != term) {
                failingTerm = term;
                failingSince = now;
            } else if (now - failingSince > leaseNanos) {
                failingTerm = -1;
                stepDown = true;
            }
        }
        if (stepDown) {
            group.stepDown("it could not commit an entry for longer than the lease");
        }
    }

    private void available() throws Unavailable {
        String why = group.unavailable();
        if (why != null) {
            throw new Unavailable(why);
        }
        if (!group.leaderKnown() && group.leaderlessForNanos() > leaderlessGraceNanos) {
            throw new Unavailable("no Raft leader for " + TimeUnit.NANOSECONDS.toMillis(group.leaderlessForNanos())
                    + " ms: this node is cut off from a majority of the group");
        }
    }

    /** The term this member leads, read twice so that a change in between is not mistaken for leadership. */
    private long leaderTerm() {
        long first = group.leaderTerm();
        long second = group.leaderTerm();
        return first == second ? first : -1;
    }

    private Optional<Observation> asFollower(String owner) throws Unavailable {
        Optional<Observation> lease = applied();
        if (lease.isPresent() && lease.get().owner().equals(owner)) {
            throw new Unavailable("this node holds the lease but no longer leads the Raft group; it leads only "
                    + "until its deadline");
        }
        return lease;
    }

    /** The last lease applied here, while it can still be live: for one lease after it was applied. */
    private Optional<Observation> applied() {
        LeaseStateMachine.Applied applied = group.applied();
        if (applied == null || applied.released()) {
            return Optional.empty();
        }
        long remaining = applied.appliedAt() + TimeUnit.MILLISECONDS.toNanos(applied.lease().leaseMillis())
                - clock.getAsLong();
        if (remaining <= 0) {
            return Optional.empty();
        }
        LeaseEntry lease = applied.lease();
        return Optional.of(Observation.seen(lease.node(), lease.owner(), lease.term(), remaining));
    }
}
