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
 * lost its database or died; {@link #block()} makes every later call hang, as for a stalled database.
 */
final class FaultyStore implements LeaseStore {

    private final LeaseStore store;
    private volatile boolean crashed;
    private volatile CountDownLatch blocked;
    final AtomicInteger completedRounds = new AtomicInteger();
    /** Rounds whose statement the real store failed. */
    final AtomicInteger failedRounds = new AtomicInteger();
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
            boolean continueTerm) throws Exception {
        acquireCalls.incrementAndGet();
        int round = lookFoundNothing.get() ? startedRounds.get() : startedRounds.incrementAndGet();
        lookFoundNothing.set(false);
        fault();
        Optional<Observation> seen;
        try {
            seen = store.acquireOrRenew(instance, node, owner, lease, continueTerm);
        } catch (Exception e) {
            failedRounds.incrementAndGet();
            throw e;
        }
        if (firstWonRound == 0 && seen.isPresent() && seen.get().owner().equals(owner)) {
            firstWonRound = round;
        }
        completedRounds.incrementAndGet();
        return seen;
    }

    @Override
    public Optional<Observation> read(String instance) throws Exception {
        readCalls.incrementAndGet();
        startedRounds.incrementAndGet();
        fault();
        Optional<Observation> seen;
        try {
            seen = store.read(instance);
        } catch (Exception e) {
            failedRounds.incrementAndGet();
            throw e;
        }
        lookFoundNothing.set(seen.isEmpty());
        completedRounds.incrementAndGet();
        return seen;
    }

    @Override
    public boolean release(String instance, String owner) throws Exception {
        fault();
        return store.release(instance, owner);
    }
}
