package io.github.quarkuspeer.runtime.election;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.election.Decisions.Outcome;
import io.github.quarkuspeer.runtime.election.Decisions.Step;
import io.github.quarkuspeer.runtime.election.Decisions.Transition;

/** The election's decisions, on a made-up clock. */
class DecisionsTest {

    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Timing THIRTY = new Timing(30 * S, 30 * S);
    private static final String ME = "owner-me";
    private static final String OTHER = "owner-other";

    /** A lease that the round's own statement wrote (or, for another owner, found). */
    private static Optional<Observation> held(String owner, long token, long remaining) {
        return Optional.of(new Observation(owner.equals(ME) ? "me" : "other", owner, token, remaining,
                owner.equals(ME)));
    }

    /** This process's lease, as a statement saw it without having written it. */
    private static Optional<Observation> unwritten(long token, long remaining) {
        return Optional.of(Observation.seen("me", ME, token, remaining));
    }

    private static Step round(Leadership before, Optional<Observation> seen, long sent, long now, Timing timing,
            double jitter) {
        return Decisions.afterRound(before, seen, ME, "me", true, sent, now, timing, jitter, 0);
    }

    @Test
    void winningStartsATermWhoseDeadlineIsTakenFromBeforeTheStatement() {
        long sent = 1_000 * S;
        Step step = round(Leadership.NONE, held(ME, 7, 30 * S), sent, sent + 50 * MS,
                THIRTY, 0);
        assertThat(step.after().leading()).isTrue();
        assertThat(step.after().token()).isEqualTo(7);
        // lease 30 s, margin 1% + 100 ms = 400 ms, counted from the moment before the statement was sent
        assertThat(step.after().deadline()).isEqualTo(sent + 30 * S - 400 * MS);
        assertThat(step.transitions()).containsExactly(new Transition(true, 7, Reason.ELECTED));
    }

    @Test
    void theLeaderRenewsEveryHalfIntervalWithJitterDownwards() {
        long sent = 0;
        long now = 10 * MS;
        Step noJitter = round(Leadership.NONE, held(ME, 1, 30 * S), sent, now, THIRTY, 0);
        Step fullJitter = round(Leadership.NONE, held(ME, 1, 30 * S), sent, now, THIRTY,
                0.999999);
        assertThat(noJitter.delayNanos()).isEqualTo(15 * S - now);
        assertThat(fullJitter.delayNanos()).isBetween(13_500 * MS - now - MS, 13_500 * MS - now + MS);
    }

    @Test
    void aLeaseShorterThanTheIntervalIsRenewedAtHalfTheLease() {
        Timing shortLease = new Timing(30 * S, 20 * S);
        Step step = round(Leadership.NONE, held(ME, 1, 20 * S), 0, 0, shortLease, 0);
        assertThat(step.delayNanos()).isEqualTo(10 * S);
    }

    @Test
    void aRenewalWithTheSameTokenContinuesTheTermSilently() {
        Leadership before = Leadership.leading("me", 7, 29 * S);
        Step step = round(before, held(ME, 7, 30 * S), 15 * S, 15 * S + MS, THIRTY, 0);
        assertThat(step.transitions()).isEmpty();
        assertThat(step.after().deadline()).isEqualTo(15 * S + 30 * S - 400 * MS);
    }

    @Test
    void anotherOwnerMeansLeadershipIsLostAtOnce() {
        Leadership before = Leadership.leading("me", 7, 29 * S);
        Step step = round(before, held(OTHER, 8, 25 * S), 15 * S, 15 * S + MS, THIRTY,
                0);
        assertThat(step.after().leadsAt(15 * S + MS)).isFalse();
        assertThat(step.after().leaderAt(15 * S + MS)).contains("other");
        assertThat(step.transitions()).containsExactly(new Transition(false, 7, Reason.LOST));
    }

    @Test
    void aFollowerLooksAgainShortlyBeforeTheLeaseExpiresSoThatItsViewOfTheLeaderNeverLapses() {
        long sent = 100 * S;
        long now = sent + 20 * MS;
        Step step = round(Leadership.NONE, held(OTHER, 3, 12 * S), sent, now, THIRTY,
                0.5);
        // 12 s left, less the lead (1% of the lease) and half the spread (1% of the lease)
        assertThat(step.delayNanos()).isEqualTo(12 * S - 300 * MS - 150 * MS);
        assertThat(step.after().leaderAt(sent + 12 * S - MS)).contains("other");
        assertThat(step.after().leaderAt(sent + 12 * S)).isEmpty();
    }

    @Test
    void aFollowerWhoseLeaderHasNotRenewedWakesJustAfterTheLeaseExpires() {
        long sent = 100 * S;
        long now = sent + 20 * MS;
        Step step = round(Leadership.NONE, held(OTHER, 3, 800 * MS), sent, now,
                THIRTY, 0.5);
        // 800 ms left, no time to look before it expires: just after it, plus half of the 200 ms expiry jitter
        // (2% of 30 s, capped at 200 ms)
        assertThat(step.delayNanos()).isEqualTo(800 * MS + 100 * MS);
    }

    @Test
    void aFollowerWakesAtTheIntervalWhenTheLeaseOutlastsIt() {
        Timing longLease = new Timing(10 * S, 60 * S);
        Step step = round(Leadership.NONE, held(OTHER, 3, 50 * S), 0, 5 * MS,
                longLease, 0);
        assertThat(step.delayNanos()).isEqualTo(10 * S - 5 * MS);
    }

    @Test
    void aWinWithANewTokenWhileLeadingEndsTheOldTermAndStartsANewOne() {
        Leadership before = Leadership.leading("me", 7, 29 * S);
        Step step = round(before, held(ME, 9, 30 * S), 20 * S, 20 * S + MS, THIRTY, 0);
        assertThat(step.transitions()).containsExactly(new Transition(false, 7, Reason.LOST),
                new Transition(true, 9, Reason.ELECTED));
    }

    @Test
    void anAnswerThatArrivesAfterItsOwnDeadlineClaimsNothingAndCountsAsAFailedRound() {
        long sent = 0;
        long now = 30 * S;
        Step step = round(Leadership.NONE, held(ME, 4, 30 * S), sent, now, THIRTY, 0);
        assertThat(step.after().leading()).isFalse();
        assertThat(step.transitions()).isEmpty();
        assertThat(step.outcome()).isEqualTo(Outcome.LATE);

        Step leading = round(Leadership.leading("me", 4, 31 * S), held(ME, 4, 30 * S), sent, now, THIRTY, 0);
        assertThat(leading.transitions()).containsExactly(new Transition(false, 4, Reason.LOST));
        assertThat(leading.outcome()).isEqualTo(Outcome.LATE);
    }

    @Test
    void aWrittenLeaseWithLessTimeLeftThanTheLeaseEndsTheDeadlineThatMuchEarlier() {
        // the database answered 10 s left (its clock says so, whatever the statement asked for): never more
        long sent = 50 * S;
        Step step = round(Leadership.NONE, held(ME, 2, 10 * S), sent, sent + MS, THIRTY, 0);
        assertThat(step.after().deadline()).isEqualTo(sent + 10 * S - 400 * MS);
    }

    @Test
    void thisProcesssOwnLeaseThatTheStatementDidNotWriteIsNeverLedOn() {
        // a snapshot older than another node's takeover still shows this process's row: it proves nothing
        Leadership before = Leadership.leading("me", 7, 29 * S);
        Step step = round(before, unwritten(7, 20 * S), 15 * S, 15 * S + MS, THIRTY, 0);
        assertThat(step.after().leading()).isFalse();
        assertThat(step.transitions()).containsExactly(new Transition(false, 7, Reason.LOST));
        assertThat(step.outcome()).isEqualTo(Outcome.AGAIN);
        assertThat(step.delayNanos()).isEqualTo(Timing.MIN_DELAY_NANOS);

        Step follower = round(Leadership.NONE, unwritten(7, 20 * S), 15 * S, 15 * S + MS, THIRTY, 0);
        assertThat(follower.after().leading()).isFalse();
        assertThat(follower.transitions()).isEmpty();
    }

    @Test
    void aRenewalAnsweredAfterTheTermWasAnnouncedLostDoesNotStartATermWithTheSameToken() {
        // the deadline timer ended the term of token 7 while the renewal (sent while it lasted) was in flight
        Step step = Decisions.afterRound(Leadership.NONE, held(ME, 7, 30 * S), ME, "me", true, 20 * S, 21 * S,
                THIRTY, 0, 7);
        assertThat(step.after().leading()).isFalse();
        assertThat(step.transitions()).isEmpty();
        assertThat(step.outcome()).isEqualTo(Outcome.AGAIN);
        // a greater token is a new term
        Step fresh = Decisions.afterRound(Leadership.NONE, held(ME, 8, 30 * S), ME, "me", true, 20 * S, 21 * S,
                THIRTY, 0, 7);
        assertThat(fresh.transitions()).containsExactly(new Transition(true, 8, Reason.ELECTED));
    }

    @Test
    void aRenewalAnsweredAfterTheDeadlinePassedEndsTheTermEvenBeforeTheTimerDid() {
        Leadership before = Leadership.leading("me", 7, 20 * S);
        Step step = Decisions.afterRound(before, held(ME, 7, 30 * S), ME, "me", true, 19 * S, 20 * S + MS,
                THIRTY, 0, 7);
        assertThat(step.after().leading()).isFalse();
        assertThat(step.transitions()).containsExactly(new Transition(false, 7, Reason.LOST));
        assertThat(step.outcome()).isEqualTo(Outcome.AGAIN);
    }

    @Test
    void aRenewalNeverMovesTheDeadlineEarlier() {
        Leadership before = Leadership.leading("me", 7, 40 * S);
        Step step = round(before, held(ME, 7, 5 * S), 15 * S, 15 * S + MS, THIRTY, 0);
        assertThat(step.outcome()).isEqualTo(Outcome.RENEWED);
        assertThat(step.after().deadline()).isEqualTo(40 * S);
    }

    @Test
    void aReleaseIsAResignationOnlyWhileTheDeadlineHolds() {
        Leadership leading = Leadership.leading("me", 5, 10 * S);
        assertThat(Decisions.onRelease(leading, 10 * S - 1)).isEqualTo(new Transition(false, 5, Reason.RESIGNED));
        assertThat(Decisions.onRelease(leading, 10 * S)).isEqualTo(new Transition(false, 5, Reason.LOST));
        assertThat(Decisions.onRelease(Leadership.NONE, 10 * S)).isNull();
    }

    @Test
    void noVisibleLeaseMakesACandidateRetrySoonAndAnObserverAtTheInterval() {
        Step candidate = round(Leadership.NONE, Optional.empty(), 0, 0, THIRTY, 0);
        Step observer = Decisions.afterRound(Leadership.NONE, Optional.empty(), ME, "me", false, 0, 0, THIRTY, 0, 0);
        assertThat(candidate.delayNanos()).isEqualTo(1_500 * MS);
        assertThat(observer.delayNanos()).isEqualTo(30 * S);
    }

    @Test
    void theDeadlineEndsLeadershipWithoutARound() {
        Leadership leading = Leadership.leading("me", 5, 10 * S);
        assertThat(Decisions.afterDeadline(leading, 10 * S - 1)).isNull();
        assertThat(Decisions.afterDeadline(leading, 10 * S)).isEqualTo(new Transition(false, 5, Reason.LOST));
        assertThat(Decisions.afterDeadline(Leadership.NONE, 10 * S)).isNull();
    }

    @Test
    void isLeaderTurnsFalseAtTheDeadlineEvenAcrossTheClockWrap() {
        long deadline = Long.MIN_VALUE + 5;
        Leadership leading = Leadership.leading("me", 5, deadline);
        assertThat(leading.leadsAt(Long.MAX_VALUE - 5)).isTrue();
        assertThat(leading.leadsAt(deadline - 1)).isTrue();
        assertThat(leading.leadsAt(deadline)).isFalse();
        assertThat(leading.tokenAt(deadline)).isEmpty();
    }

    @Test
    void backoffDoublesFromOneSecondAndStopsAtHalfTheInterval() {
        assertThat(THIRTY.backoffNanos(1)).isEqualTo(S);
        assertThat(THIRTY.backoffNanos(2)).isEqualTo(2 * S);
        assertThat(THIRTY.backoffNanos(3)).isEqualTo(4 * S);
        assertThat(THIRTY.backoffNanos(4)).isEqualTo(8 * S);
        assertThat(THIRTY.backoffNanos(5)).isEqualTo(15 * S);
        assertThat(THIRTY.backoffNanos(100)).isEqualTo(15 * S);
        assertThat(new Timing(S, S).backoffNanos(1)).isEqualTo(500 * MS);
    }
}
