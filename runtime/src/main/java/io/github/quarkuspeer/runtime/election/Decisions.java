package io.github.quarkuspeer.runtime.election;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.quarkuspeer.LeadershipChanged.Reason;

/**
 * The decisions of an election, as pure functions of what is known and of {@code now}, so that they can be tested
 * with a made-up clock. {@link Election} does the waiting and the input and output.
 */
public final class Decisions {

    private Decisions() {
    }

    /** A change of this node's leadership that a round or a deadline brings about. */
    public record Transition(boolean leader, long token, Reason reason) {
    }

    /** What a round found, as the election counts it (and as metrics report it). */
    public enum Outcome {
        /** This process took the lease and starts a term. */
        WON,
        /** This process renewed the lease of the term it leads. */
        RENEWED,
        /** Another process holds a live lease. */
        FOLLOWING,
        /** Nobody holds a live lease that the statement could see. */
        VACANT,
        /**
         * The answer cannot be led on, and the round must run again at once: it shows this process's own lease
         * without this statement having written it (a snapshot older than another node's commit), or a lease this
         * process wrote in a term it has already given up.
         */
        AGAIN,
        /** The answer arrived after the deadline it could have given: a failed round. */
        LATE,
        /**
         * The statement failed (the database could not be reached, a timeout, a deadlock): never an answer of
         * {@link #afterRound}, only what the election reports of such a round.
         */
        FAILED
    }

    /**
     * The outcome of a round.
     *
     * @param after the leadership to publish
     * @param transitions the changes to announce, in order
     * @param delayNanos how long to wait before the next round (the election backs off instead after {@link
     *        Outcome#LATE})
     * @param outcome what the round found
     */
    public record Step(Leadership after, List<Transition> transitions, long delayNanos, Outcome outcome) {
    }

    /**
     * Decides what a successful round means.
     *
     * <ol>
     * <li>This statement wrote the caller's lease ({@link Observation#written()}): the caller may lead until
     * {@code sent + min(lease, time left as answered) - margin}. The database computed the lease from its own "now",
     * which came after {@code sent}, and the time left from the same "now", so that deadline passes before the lease
     * can expire by the database clock, whatever the answer was: fresh, from an old snapshot, or late.
     * <ol type="a">
     * <li>If that deadline has already passed, the answer came too late to lead on: a failed round.</li>
     * <li>If the caller still leads, at {@code now}, the term of the same token, the term goes on.</li>
     * <li>Otherwise any term it led has ended (and is announced lost). A token that is not greater than that of
     * every term this process has claimed cannot start a new term: it was written by a renewal that was sent while
     * the old term lasted. The round runs again, as a new term.</li>
     * <li>Otherwise a new term starts.</li>
     * </ol>
     * The next renewal comes half a renew period after {@code sent}, less up to 10% of jitter.</li>
     * <li>The lease is the caller's but this statement did not write it: it is a row from a snapshot older than
     * the latest commit, or left by a statement whose answer was lost. It proves nothing about the future: the
     * caller does not lead, and runs the round again at once, with a write.</li>
     * <li>Another owner holds the lease: the caller does not lead (it loses the lease at once if it did). It checks
     * again at the interval, or around the moment that lease expires if that comes first: a little before it, at a
     * random point of a short window, when there is time for the leader to have renewed; otherwise just after
     * it.</li>
     * <li>Nobody holds a lease that the statement could see: a candidate retries soon (a winner is about to
     * appear), an observer at the interval.</li>
     * </ol>
     *
     * @param before the published leadership when the answer arrived
     * @param seen the live lease after the statement
     * @param owner this process's identity for the instance
     * @param node this node's name
     * @param candidate whether this node may take the lease
     * @param sent when the statement was about to be sent, before a connection was taken
     * @param now when its answer arrived
     * @param timing the instance's timing
     * @param jitter a random number in [0, 1)
     * @param highestToken the greatest token of any term this process has claimed, or 0
     */
    public static Step afterRound(Leadership before, Optional<Observation> seen, String owner, String node,
            boolean candidate, long sent, long now, Timing timing, double jitter, long highestToken) {
        List<Transition> transitions = new ArrayList<>(2);
        if (seen.isPresent() && seen.get().owner().equals(owner)) {
            Observation lease = seen.get();
            if (!lease.written()) {
                lose(before, transitions);
                return new Step(Leadership.NONE, transitions, Timing.MIN_DELAY_NANOS, Outcome.AGAIN);
            }
            long deadline = sent + Math.min(timing.leaseNanos(), lease.remainingNanos()) - timing.safetyMarginNanos();
            if (deadline - now <= 0) {
                lose(before, transitions);
                return new Step(Leadership.NONE, transitions, Timing.MIN_DELAY_NANOS, Outcome.LATE);
            }
            long renewAt = sent + (long) (timing.renewPeriodNanos() * (1.0 - 0.1 * jitter));
            long delay = atLeastMin(renewAt - now);
            if (before.leadsAt(now) && before.token() == lease.fencingToken()) {
                // never earlier than a deadline already granted: that one was proven by a write of its own
                long later = deadline - before.deadline() > 0 ? deadline : before.deadline();
                return new Step(Leadership.leading(node, lease.fencingToken(), later), transitions, delay,
                        Outcome.RENEWED);
            }
            lose(before, transitions);
            if (lease.fencingToken() <= highestToken) {
                return new Step(Leadership.NONE, transitions, Timing.MIN_DELAY_NANOS, Outcome.AGAIN);
            }
            transitions.add(new Transition(true, lease.fencingToken(), Reason.ELECTED));
            return new Step(Leadership.leading(node, lease.fencingToken(), deadline), transitions, delay, Outcome.WON);
        }
        lose(before, transitions);
        if (seen.isPresent()) {
            Observation lease = seen.get();
            long untilInterval = sent + timing.intervalNanos() - now;
            long lead = timing.followerLeadNanos();
            long spread = timing.followerSpreadNanos();
            long untilExpiry = lease.remainingNanos() > 2 * lead + spread
                    // look again a little before it expires, at a moment of this follower's own so that followers
                    // do not all come at once: a live leader has renewed by then, so the view of who leads never
                    // lapses
                    ? lease.remainingNanos() - lead - (long) (spread * jitter)
                    // not renewed: come back just after it expires, ready to take over
                    : lease.remainingNanos() + (long) (timing.expiryJitterNanos() * jitter);
            return new Step(Leadership.following(lease.node(), sent + lease.remainingNanos()), transitions,
                    atLeastMin(Math.min(untilInterval, untilExpiry)), Outcome.FOLLOWING);
        }
        long delay = candidate
                ? (long) (timing.leaseNanos() / 20 * (1.0 + jitter))
                : sent + timing.intervalNanos() - now;
        return new Step(Leadership.NONE, transitions, atLeastMin(delay), Outcome.VACANT);
    }

    /** Announces the end of the term {@code before} leads, if it leads one. */
    private static void lose(Leadership before, List<Transition> transitions) {
        if (before.leading()) {
            transitions.add(new Transition(false, before.token(), Reason.LOST));
        }
    }

    /**
     * How this node's leadership ends once its local deadline has passed without a renewal.
     *
     * @return the transition, or {@code null} if this node did not lead or its deadline has not passed at
     *         {@code now}
     */
    public static Transition afterDeadline(Leadership before, long now) {
        if (!before.leading() || now - before.deadline() < 0) {
            return null;
        }
        return new Transition(false, before.token(), Reason.LOST);
    }

    /**
     * How this node's leadership ends when it releases at {@code now}: {@link Reason#RESIGNED} if it still leads,
     * {@link Reason#LOST} if it led a term whose deadline has passed without that being announced yet.
     *
     * @return the transition, or {@code null} if this node led no term
     */
    public static Transition onRelease(Leadership before, long now) {
        if (!before.leading()) {
            return null;
        }
        return new Transition(false, before.token(), before.leadsAt(now) ? Reason.RESIGNED : Reason.LOST);
    }

    private static long atLeastMin(long delayNanos) {
        return Math.max(delayNanos, Timing.MIN_DELAY_NANOS);
    }
}
