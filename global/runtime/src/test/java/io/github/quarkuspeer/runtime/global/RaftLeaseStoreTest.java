package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;

/** The lease store's decisions, on a made-up group and clock. */
class RaftLeaseStoreTest {

    private static final long MS = 1_000_000;
    private static final Duration LEASE = Duration.ofSeconds(2);
    /** 1% of the lease plus 100 ms. */
    private static final long MARGIN = 120 * MS;

    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);
    private final FakeGroup group = new FakeGroup();
    private final RaftLeaseStore store = new RaftLeaseStore(group, LEASE, true, clock::get);

    @Test
    void aNewLeaderClaimsNothingUntilLeasePlusMarginAfterItStoredAnotherOwnersLastEntry() throws Exception {
        long t0 = clock.get();
        group.takeover.stored(LeaseEntry.lease("jobs", "x", "owner-x", 4, 2_000), t0);
        group.term = 5;

        clock.addAndGet(1_000 * MS);
        Observation waiting = store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, LeaseStore.Gate.OPEN)
                .orElseThrow();
        assertThat(waiting.written()).isFalse();
        assertThat(waiting.owner()).isEqualTo("owner-x");
        assertThat(waiting.fencingToken()).isEqualTo(4);
        assertThat(waiting.remainingNanos()).isEqualTo(1_000 * MS + MARGIN);
        assertThat(group.submitted).isEmpty();

        clock.set(t0 + 2_000 * MS + MARGIN - 1);
        assertThat(store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, LeaseStore.Gate.OPEN).orElseThrow()
                .written()).isFalse();
        assertThat(group.submitted).isEmpty();

        clock.set(t0 + 2_000 * MS + MARGIN);
        Observation won = store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, LeaseStore.Gate.OPEN)
                .orElseThrow();
        assertThat(won).isEqualTo(new Observation("me", "owner-me", 5, LEASE.toNanos(), true));
        assertThat(group.submitted).singleElement()
                .isEqualTo(LeaseEntry.lease("jobs", "me", "owner-me", 5, 2_000));
    }

    @Test
    void theOwnersOwnReleaseAfterItsLastEntryEndsTheWaitAtOnce() throws Exception {
        group.takeover.stored(LeaseEntry.lease("jobs", "x", "owner-x", 4, 2_000), clock.get());
        group.takeover.stored(LeaseEntry.release("jobs", "x", "owner-x", 4), clock.get());
        group.term = 5;

        assertThat(store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, LeaseStore.Gate.OPEN).orElseThrow()
                .written()).isTrue();
    }

    @Test
    void aReleaseOfAnOwnerThatNeverLedEndsNobodysWait() throws Exception {
        group.takeover.stored(LeaseEntry.lease("jobs", "x", "owner-x", 4, 2_000), clock.get());
        group.takeover.stored(LeaseEntry.release("jobs", "y", "owner-y", 5), clock.get());
        group.term = 6;

        Observation seen = store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, LeaseStore.Gate.OPEN)
                .orElseThrow();
        assertThat(seen.written()).isFalse();
        assertThat(seen.owner()).isEqualTo("owner-x");
        assertThat(group.submitted).isEmpty();
    }

    @Test
    void anOwnerThatNeverLedWritesNoRelease() throws Exception {
        group.term = 5;
        assertThat(store.release("jobs", "owner-me")).isFalse();
        assertThat(group.submitted).isEmpty();

        store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, LeaseStore.Gate.OPEN);
        assertThat(store.release("jobs", "owner-me")).isTrue();
        assertThat(group.submitted).last().isEqualTo(LeaseEntry.release("jobs", "", "owner-me", 5));
    }

    @Test
    void aLeaderWhoseLeaseOfThisTermRanOutStepsDownInsteadOfLeadingTheSameTermAgain() throws Exception {
        group.term = 5;
        assertThat(store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, LeaseStore.Gate.OPEN).orElseThrow()
                .written()).isTrue();
        assertThat(store.acquireOrRenew("jobs", "me", "owner-me", LEASE, true, LeaseStore.Gate.OPEN).orElseThrow()
                .written()).isTrue();
        int before = group.submitted.size();

        // the election no longer leads by its deadline: the token of term 5 is spent for this process
        assertThatThrownBy(() -> store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false,
                LeaseStore.Gate.OPEN)).isInstanceOf(RaftLeaseStore.Unavailable.class).hasMessageContaining("term 5");
        assertThat(group.stepDowns).hasSize(1);
        assertThatThrownBy(() -> store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false,
                LeaseStore.Gate.OPEN)).isInstanceOf(RaftLeaseStore.Unavailable.class);
        assertThat(group.submitted).hasSize(before);

        group.term = 7; // elected again, in a new term: a new token
        assertThat(store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, LeaseStore.Gate.OPEN).orElseThrow()
                .fencingToken()).isEqualTo(7);
    }

    @Test
    void aCommitThatCompletesAfterTheLeadershipChangedIsNotALease() {
        group.term = 5;
        group.onSubmit = () -> group.term = -1;
        assertThatThrownBy(() -> store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false,
                LeaseStore.Gate.OPEN)).isInstanceOf(RaftLeaseStore.Unavailable.class)
                .hasMessageContaining("changed");
    }

    @Test
    void aFailedCommitFailsTheRound() {
        group.term = 5;
        group.result = CompletableFuture.failedFuture(new IllegalStateException("I'm not the leader"));
        assertThatThrownBy(() -> store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false,
                LeaseStore.Gate.OPEN)).isInstanceOf(RaftLeaseStore.Unavailable.class)
                .hasMessageContaining("I'm not the leader");
    }

    @Test
    void aLeaderThatCannotCommitForLongerThanTheLeaseStepsDown() {
        group.term = 5;
        group.result = CompletableFuture.failedFuture(new IllegalStateException("disk stalled"));
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false,
                    LeaseStore.Gate.OPEN)).isInstanceOf(RaftLeaseStore.Unavailable.class);
            clock.addAndGet(700 * MS);
        }
        assertThat(group.stepDowns).singleElement().asString().contains("longer than the lease");
    }

    @Test
    void aFollowerShowsTheLeaseItLastAppliedForOneLeaseAfterApplyingIt() throws Exception {
        group.applied = new LeaseStateMachine.Applied(LeaseEntry.lease("jobs", "x", "owner-x", 4, 2_000), false,
                clock.get());
        clock.addAndGet(500 * MS);
        assertThat(store.read("jobs", LeaseStore.Gate.OPEN))
                .contains(Observation.seen("x", "owner-x", 4, 1_500 * MS));
        clock.addAndGet(1_500 * MS);
        assertThat(store.read("jobs", LeaseStore.Gate.OPEN)).isEmpty();
    }

    @Test
    void aFollowerShowsNoLeaderOnceTheHolderReleased() throws Exception {
        group.applied = new LeaseStateMachine.Applied(LeaseEntry.lease("jobs", "x", "owner-x", 4, 2_000), true,
                clock.get());
        assertThat(store.read("jobs", LeaseStore.Gate.OPEN)).isEmpty();
    }

    @Test
    void aFollowerThatHoldsTheLeaseItselfFailsTheRoundAndLeadsOnlyUntilItsDeadline() {
        group.applied = new LeaseStateMachine.Applied(LeaseEntry.lease("jobs", "me", "owner-me", 4, 2_000), false,
                clock.get());
        assertThatThrownBy(() -> store.acquireOrRenew("jobs", "me", "owner-me", LEASE, true,
                LeaseStore.Gate.OPEN)).isInstanceOf(RaftLeaseStore.Unavailable.class)
                .hasMessageContaining("no longer leads the Raft group");
    }

    @Test
    void aMemberWithoutALeaderIsVacantForAWhileThenCutOff() throws Exception {
        group.leaderKnown = false;
        group.leaderless = 1_000 * MS;
        assertThat(store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, LeaseStore.Gate.OPEN)).isEmpty();
        group.leaderless = 2_001 * MS;
        assertThatThrownBy(() -> store.read("jobs", LeaseStore.Gate.OPEN))
                .isInstanceOf(RaftLeaseStore.Unavailable.class).hasMessageContaining("cut off from a majority");
    }

    @Test
    void aMemberThatMayNotLeadStepsDownWhenElected() {
        RaftLeaseStore observer = new RaftLeaseStore(group, LEASE, false, clock::get);
        group.term = 5;
        assertThatThrownBy(() -> observer.read("jobs", LeaseStore.Gate.OPEN))
                .isInstanceOf(RaftLeaseStore.Unavailable.class);
        assertThat(group.stepDowns).singleElement().asString().contains("candidate=false");
    }

    @Test
    void aClosedGateSendsNothing() {
        group.term = 5;
        assertThatThrownBy(() -> store.acquireOrRenew("jobs", "me", "owner-me", LEASE, false, () -> false))
                .isInstanceOf(LeaseStore.Refused.class);
        assertThat(group.submitted).isEmpty();
    }

    /** A group whose answers the test sets. */
    private static final class FakeGroup implements RaftLeaseStore.Group {
        volatile long term = -1;
        boolean leaderKnown = true;
        long leaderless;
        final Takeover takeover = new Takeover();
        LeaseStateMachine.Applied applied;
        final List<LeaseEntry> submitted = new ArrayList<>();
        final List<String> stepDowns = new ArrayList<>();
        CompletableFuture<?> result;
        Runnable onSubmit = () -> {
        };

        @Override
        public long leaderTerm() {
            return term;
        }

        @Override
        public boolean leaderKnown() {
            return leaderKnown;
        }

        @Override
        public CompletableFuture<?> submit(byte[] entry) {
            try {
                submitted.add(LeaseEntry.decode(entry, 0, entry.length));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            onSubmit.run();
            return result != null ? result : CompletableFuture.completedFuture(null);
        }

        @Override
        public LeaseStateMachine.Applied applied() {
            return applied;
        }

        @Override
        public Takeover takeover() {
            return takeover;
        }

        @Override
        public void stepDown(String why) {
            stepDowns.add(why);
        }

        @Override
        public String unavailable() {
            return null;
        }

        @Override
        public long leaderlessForNanos() {
            return leaderless;
        }
    }
}
