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

    /**
     * The outcome of a round.
     *
     * @param after the leadership to publish
     * @param transitions the changes to announce, in order
     * @param delayNanos how long to wait before the next round
     */
    public record Step(Leadership after, List<Transition> transitions, long delayNanos) {
    }

    /**
     * Decides what a successful round means.
     *
     * <ol>
     * <li>The store shows this process as the owner: it leads until {@code sent + lease - margin}. The lease was
     * computed by the database from its own "now", which came after {@code sent}, so the local deadline always
     * passes before the lease can expire. The same token as before continues the term; another one starts a new
     * term. The next renewal comes half a renew period after {@code sent}, less up to 10% of jitter.</li>
     * <li>Another owner holds the lease: this node does not lead (it loses the lease at once if it did). It checks
     * again at the interval, or around the moment that lease expires if that comes first: a little before it, at a
     * random point of a short window, when there is time for the leader to have renewed; otherwise just after
     * it.</li>
     * <li>Nobody holds a lease that the statement could see: a candidate retries soon (a winner is about to
     * appear), an observer at the interval.</li>
     * </ol>
     *
     * @param before the published leadership when the round began
     * @param seen the live lease after the statement
     * @param owner this process's identity for the instance
     * @param node this node's name
     * @param candidate whether this node tried to take the lease
     * @param sent when the statement was about to be sent, before a connection was taken
     * @param now when its answer arrived
     * @param timing the instance's timing
     * @param jitter a random number in [0, 1)
     */
    public static Step afterRound(Leadership before, Optional<Observation> seen, String owner, String node,
            boolean candidate, long sent, long now, Timing timing, double jitter) {
        List<Transition> transitions = new ArrayList<>(2);
        if (seen.isPresent() && seen.get().owner().equals(owner)) {
            Observation lease = seen.get();
            long deadline = sent + timing.leaseNanos() - timing.safetyMarginNanos();
            boolean sameTerm = before.leading() && before.token() == lease.fencingToken();
            if (deadline - now <= 0) {
                // The answer came too late to lead on: renew at once, and do not claim what cannot be claimed.
                if (before.leading()) {
                    transitions.add(new Transition(false, before.token(), Reason.LOST));
                }
                return new Step(Leadership.NONE, transitions, Timing.MIN_DELAY_NANOS);
            }
            if (!sameTerm) {
                if (before.leading()) {
                    transitions.add(new Transition(false, before.token(), Reason.LOST));
                }
                transitions.add(new Transition(true, lease.fencingToken(), Reason.ELECTED));
            }
            long renewAt = sent + (long) (timing.renewPeriodNanos() * (1.0 - 0.1 * jitter));
            return new Step(Leadership.leading(node, lease.fencingToken(), deadline), transitions,
                    atLeastMin(renewAt - now));
        }
        if (before.leading()) {
            transitions.add(new Transition(false, before.token(), Reason.LOST));
        }
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
                    atLeastMin(Math.min(untilInterval, untilExpiry)));
        }
        long delay = candidate
                ? (long) (timing.leaseNanos() / 20 * (1.0 + jitter))
                : sent + timing.intervalNanos() - now;
        return new Step(Leadership.NONE, transitions, atLeastMin(delay));
    }

    /**
     * The leadership once the local deadline has passed without a renewal: this node stops leading, but keeps
     * nothing it cannot know.
     *
     * @return the step, or {@code null} if this node did not lead or its deadline has not passed at {@code now}
     */
    public static Step afterDeadline(Leadership before, long now) {
        if (!before.leading() || now - before.deadline() < 0) {
            return null;
        }
        return new Step(Leadership.NONE, List.of(new Transition(false, before.token(), Reason.LOST)), 0);
    }

    private static long atLeastMin(long delayNanos) {
        return Math.max(delayNanos, Timing.MIN_DELAY_NANOS);
    }
}
