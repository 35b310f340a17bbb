package io.github.quarkuspeer.runtime.database;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;

/**
 * A real lease store that a test can cut off: {@link #crash()} makes every later call fail, as for a node that
 * lost its database or died; {@link #block()} makes every later round hang before it reaches the database, as
 * a round waiting for a connection or a worker does;
 * {@link #loseReplies(int)} runs the next statements for real and then throws their answers away, as a network that
 * loses a reply after the database committed.
 */
final class FaultyStore implements LeaseStore {

    private final LeaseStore store;
    private volatile boolean crashed;
    private volatile CountDownLatch blocked;
    private final AtomicInteger repliesToLose = new AtomicInteger();
    /** Statements that ran and committed but whose answer was thrown away. */
    final AtomicInteger lostReplies = new AtomicInteger();
    final AtomicInteger completedRounds = new AtomicInteger();
    /** Rounds whose statement the real store failed. */
    final AtomicInteger failedRounds = new AtomicInteger();
    /** Statements that the real store refused to send: the election had begun to release. */
    final AtomicInteger refused = new AtomicInteger();
    /** Calls of each kind: statements that may write a lease, and plain reads. */
    final AtomicInteger acquireCalls = new AtomicInteger();
    final AtomicInteger readCalls = new AtomicInteger();
    /** How many calls are waiting in {@link #block()}. */
    final AtomicInteger waiting = new AtomicInteger();
    /** Rounds begun, counted as they begin, faulty or not. */
    final AtomicInteger startedRounds = new AtomicInteger();
    /** The number (from 1, in {@link #startedRounds}) of the first round whose lease was the caller's, or 0. */
    volatile int firstWonRound;
    /** Set when a look found no lease: the acquire that follows belongs to the same round. */
    private final ThreadLocal<Boolean> lookFoundNothing = ThreadLocal.withInitial(() -> false);

    FaultyStore(LeaseStore store) {
        this.store = store;
    }

    void crash() {
        crashed = true;
    }

    void block() {
        blocked = new CountDownLatch(1);
    }

    /** The next {@code count} acquire statements commit, and their answers are lost. */
    void loseReplies(int count) {
        repliesToLose.set(count);
    }

    private <T> T maybeLose(T answer) throws SQLTransientConnectionException {
        if (repliesToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            lostReplies.incrementAndGet();
            throw new SQLTransientConnectionException("the reply was lost after the statement committed");
        }
        return answer;
    }

    void unblock() {
        CountDownLatch latch = blocked;
        blocked = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    private void fault() throws Exception {
        CountDownLatch latch = blocked;
        if (latch != null) {
            waiting.incrementAndGet();
            try {
                latch.await();
            } finally {
                waiting.decrementAndGet();
            }
        }
        if (crashed) {
            throw new SQLTransientConnectionException("cut off by the test");
        }
    }

    @Override
    public Optional<Observation> acquireOrRenew(String instance, String node, String owner, Duration lease,
            boolean continueTerm, Gate gate) throws Exception {
        acquireCalls.incrementAndGet();
        int round = lookFoundNothing.get() ? startedRounds.get() : startedRounds.incrementAndGet();
        lookFoundNothing.set(false);
        fault();
        Optional<Observation> seen;
        try {
            seen = store.acquireOrRenew(instance, node, owner, lease, continueTerm, gate);
        } catch (Refused e) {
            refused.incrementAndGet();
            throw e;
        } catch (Exception e) {
            failedRounds.incrementAndGet();
            throw e;
        }
        maybeLose(seen);
        if (firstWonRound == 0 && seen.isPresent() && seen.get().owner().equals(owner) && seen.get().written()) {
            firstWonRound = round;
        }
        completedRounds.incrementAndGet();
        return seen;
    }

    @Override
    public Optional<Observation> read(String instance, Gate gate) throws Exception {
        readCalls.incrementAndGet();
        startedRounds.incrementAndGet();
        fault();
        Optional<Observation> seen;
        try {
            seen = store.read(instance, gate);
        } catch (Refused e) {
            refused.incrementAndGet();
            throw e;
        } catch (Exception e) {
            failedRounds.incrementAndGet();
            throw e;
        }
        lookFoundNothing.set(seen.isEmpty());
        completedRounds.incrementAndGet();
        return seen;
    }

    /** A crashed node cannot release; a blocked one can, since only its rounds are held. */
    @Override
    public boolean release(String instance, String owner) throws Exception {
        if (crashed) {
            throw new SQLTransientConnectionException("cut off by the test");
        }
        return store.release(instance, owner);
    }
}
