package io.github.quarkuspeer.runtime.election;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logmanager.Logger;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.election.Decisions.Outcome;

/**
 * What an election tells the world besides leadership: each round's outcome and duration, the leader it follows
 * (once per leader), and no release for a lease that no statement of this process could have written.
 */
class ElectionReportsTest {

    static final Timing TIMING = Timing.of(Duration.ofSeconds(10), Duration.ofSeconds(10));
    static final long SECOND = 1_000_000_000L;

    /** A store whose answers a test sets; a statement that "cannot connect" fails before its gate. */
    static final class ScriptedStore implements LeaseStore {
        volatile boolean unreachable;
        volatile boolean failAfterSending;
        volatile Optional<Observation> answer = Optional.empty();
        final AtomicInteger releases = new AtomicInteger();

        @Override
        public Optional<Observation> acquireOrRenew(String instance, String node, String owner, Duration lease,
                boolean continueTerm, Gate gate) throws Exception {
            return statement(gate);
        }

        @Override
        public Optional<Observation> read(String instance, Gate gate) throws Exception {
            return statement(gate);
        }

        private Optional<Observation> statement(Gate gate) throws Exception {
            if (unreachable) {
                throw new SQLTransientConnectionException("Connection refused");
            }
            if (!gate.open()) {
                throw new Refused();
            }
            if (failAfterSending) {
                throw new SQLTransientConnectionException("Read timed out");
            }
            return answer;
        }

        @Override
        public boolean release(String instance, String owner) {
            releases.incrementAndGet();
            return true;
        }
    }

    /** Rounds run inline; timers are kept, never fired: the test calls {@link Election#wake} itself. */
    static final class Inline implements Election.Scheduling {
        @Override
        public long setTimer(long delayNanos, Runnable task) {
            return 1;
        }

        @Override
        public void cancelTimer(long handle) {
        }

        @Override
        public void runBlocking(Runnable task) {
            task.run();
        }
    }

    record Round(Outcome outcome, long tookNanos) {
    }

    final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    final ScriptedStore store = new ScriptedStore();
    final List<Round> rounds = new ArrayList<>();
    final List<String> logged = new ArrayList<>();
    final ExtHandler capture = new ExtHandler() {
        @Override
        protected void doPublish(ExtLogRecord record) {
            logged.add(record.getFormattedMessage());
        }
    };
    Election election;

    @BeforeEach
    void elect() {
        Logger.getLogger(Election.class.getName()).addHandler(capture);
        election = new Election("jobs", "me", true, TIMING, store, new Inline(), new Election.Listener() {
            @Override
            public void changed(LeadershipChanged event) {
            }

            @Override
            public void round(Outcome outcome, long tookNanos) {
                rounds.add(new Round(outcome, tookNanos));
            }
        }, clock::get);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger(Election.class.getName()).removeHandler(capture);
    }

    @Test
    void aNodeThatNeverReachedTheDatabaseReleasesNothing() throws Exception {
        store.unreachable = true;
        election.start();
        election.wake(false);
        assertThat(rounds).extracting(Round::outcome).containsExactly(Outcome.FAILED, Outcome.FAILED);
        assertThat(election.release().get()).isNull();
        assertThat(store.releases).hasValue(0);
    }

    @Test
    void aStatementThatWasSentMayHaveWrittenTheLeaseSoItIsReleased() throws Exception {
        store.failAfterSending = true;
        election.start();
        election.release().get();
        assertThat(store.releases).hasValue(1);
    }

    @Test
    void aFollowerSaysOnceWhomItFollowsAndAgainWhenTheLeaderChanges() {
        store.answer = Optional.of(Observation.seen("other", "someone", 7, 5 * SECOND));
        election.start();
        election.wake(true);
        election.wake(true);
        store.answer = Optional.of(Observation.seen("third", "another", 8, 5 * SECOND));
        election.wake(true);
        assertThat(logged.stream().filter(line -> line.contains("follows"))).containsExactly(
                "Quarkus Peer: node me follows other for instance jobs",
                "Quarkus Peer: node me follows third for instance jobs");
        assertThat(rounds).extracting(Round::outcome).containsOnly(Outcome.FOLLOWING);
        assertThat(election.release()).isCompletedWithValue(null);
        assertThat(store.releases).as("a follower owns no lease").hasValue(0);
    }

    @Test
    void eachRoundReportsWhatItFoundAndHowLongItTook() {
        store.answer = Optional.empty();
        election.start();
        store.answer = Optional.of(new Observation("me", election.owner(), 3, 10 * SECOND, true));
        election.wake(true);
        election.wake(false);
        assertThat(rounds).extracting(Round::outcome).containsExactly(Outcome.VACANT, Outcome.WON,
                Outcome.RENEWED);
        assertThat(rounds).allSatisfy(round -> assertThat(round.tookNanos()).isNotNegative());
    }
}
