package io.github.quarkuspeer.bench;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;

/**
 * One node's lease store in a benchmark: the real store, with every round counted and timed, and a switch that cuts
 * the node off the way a crash would.
 * <p>
 * A crash is armed with {@link #crashAfterNextRenewal()}: the next round that this node wins still reaches the
 * database, and every call after it fails without reaching it. So the node stops renewing without releasing, at the
 * worst moment for failover (a whole lease still to run), and {@link #lastRenewalSentAt()} says when that lease was
 * last renewed.
 */
public final class BenchStore implements LeaseStore {

    private final LeaseStore store;
    private final Samples roundNanos;
    private final LongAdder rounds = new LongAdder();
    private volatile boolean armed;
    private volatile boolean crashed;
    private volatile long lastRenewalSentAt;

    /** @param roundNanos where to record how long each round's statement took, or {@code null} */
    public BenchStore(LeaseStore store, Samples roundNanos) {
        this.store = store;
        this.roundNanos = roundNanos;
    }

    public void crashAfterNextRenewal() {
        armed = true;
    }

    public boolean crashed() {
        return crashed;
    }

    /** When the statement of the last renewal before the crash was about to be sent, by {@link System#nanoTime()}. */
    public long lastRenewalSentAt() {
        return lastRenewalSentAt;
    }

    /** How many rounds (acquire or read) reached the real store. */
    public long rounds() {
        return rounds.sum();
    }

    private void failIfCrashed() throws SQLTransientConnectionException {
        if (crashed) {
            throw new SQLTransientConnectionException("the benchmark crashed this node");
        }
    }

    @Override
    public Optional<Observation> acquireOrRenew(String instance, String node, String owner, Duration lease,
            boolean continueTerm, Gate gate) throws Exception {
        failIfCrashed();
        long sent = System.nanoTime();
        Optional<Observation> seen = store.acquireOrRenew(instance, node, owner, lease, continueTerm, gate);
        record(sent);
        if (armed && seen.isPresent() && seen.get().owner().equals(owner) && seen.get().written()) {
            lastRenewalSentAt = sent;
            crashed = true;
        }
        return seen;
    }

    @Override
    public Optional<Observation> read(String instance, Gate gate) throws Exception {
        failIfCrashed();
        long sent = System.nanoTime();
        Optional<Observation> seen = store.read(instance, gate);
        record(sent);
        return seen;
    }

    private void record(long sent) {
        long took = System.nanoTime() - sent;
        rounds.increment();
        if (roundNanos != null) {
            roundNanos.add(took);
        }
    }

    @Override
    public boolean release(String instance, String owner) throws Exception {
        failIfCrashed();
        return store.release(instance, owner);
    }
}
