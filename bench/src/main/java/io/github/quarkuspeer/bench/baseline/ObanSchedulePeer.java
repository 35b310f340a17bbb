package io.github.quarkuspeer.bench.baseline;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.github.quarkuspeer.bench.BenchPeer;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;

/**
 * The baseline of the failover benchmarks: a peer that follows Oban's schedule ({@code Oban.Peers.Database}, v2.23)
 * on the extension's own lease store, so that the schedule is the only difference being measured.
 *
 * <h2>What it copies from Oban</h2>
 * <ul>
 * <li>A lease lasts one interval.</li>
 * <li>The leader runs its next round after half the interval less up to 10% (Oban's {@code leader_boost} of 2 and
 * its downward jitter); a follower after the whole interval less up to 10%.</li>
 * <li>Nothing wakes a follower when the lease it saw expires: a crashed leader is replaced at the first follower
 * round after the expiry, so anywhere from one lease to one lease plus one interval after its last renewal.</li>
 * <li>{@code leader?} is the flag the last round set, with no deadline; a failed round sets it to false, as
 * Oban 2.23.1 does.</li>
 * <li>The first round runs at start, synchronously.</li>
 * <li>On exit the leader deletes its lease and notifies in the same transaction; when {@code wakeOnDown}, a
 * follower that hears it runs a round at once, as Oban's followers do on its {@code "down"} message.</li>
 * </ul>
 *
 * <h2>What it does not copy</h2>
 * Oban's round (delete the rows expired by the application clock, then insert or renew by node name: two statements
 * in one transaction) is replaced by the extension's single statement, which compares with the database clock and
 * owns by process. Oban's safety weaknesses are therefore absent: this class is a schedule, not a model of Oban's
 * bugs, and each of its rounds costs what one of the extension's costs.
 */
public final class ObanSchedulePeer implements BenchPeer {

    private static final long NO_TIMER = -1;
    private static final long RELEASE_WAIT_MILLIS = 5_000;

    private final String instance;
    private final String node;
    private final String owner = UUID.randomUUID().toString();
    private final Duration interval;
    private final LeaseStore store;
    private final Election.Scheduling scheduling;
    private final boolean wakeOnDown;

    private volatile boolean leader;
    private volatile long electedAt;

    private final Object lock = new Object();
    // guarded by lock
    private boolean running;
    private boolean again;
    private boolean stopped;
    private long timer = NO_TIMER;

    /**
     * @param interval Oban's {@code interval}; the lease lasts as long
     * @param wakeOnDown whether a release notification makes a follower run a round at once
     */
    public ObanSchedulePeer(String instance, String node, Duration interval, LeaseStore store,
            Election.Scheduling scheduling, boolean wakeOnDown) {
        this.instance = instance;
        this.node = node;
        this.interval = interval;
        this.store = store;
        this.scheduling = scheduling;
        this.wakeOnDown = wakeOnDown;
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public long electedAt() {
        return electedAt;
    }

    @Override
    public void start() {
        synchronized (lock) {
            running = true;
        }
        runRounds();
    }

    @Override
    public void released() {
        if (wakeOnDown) {
            wake();
        }
    }

    private void wake() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            if (running) {
                // a message that arrives during an election is handled after it, as by Oban's GenServer
                again = true;
                return;
            }
            running = true;
            cancelTimer();
        }
        scheduling.runBlocking(this::runRounds);
    }

    private void runRounds() {
        while (true) {
            round();
            synchronized (lock) {
                if (!stopped && again) {
                    again = false;
                    continue;
                }
                running = false;
                lock.notifyAll();
                return;
            }
        }
    }

    private void round() {
        boolean won;
        try {
            Optional<Observation> seen = store.acquireOrRenew(instance, node, owner, interval, leader,
                    LeaseStore.Gate.OPEN);
            won = seen.isPresent() && seen.get().owner().equals(owner);
        } catch (Exception e) {
            won = false;
        }
        synchronized (lock) {
            if (stopped) {
                return;
            }
            if (won && !leader) {
                electedAt = System.nanoTime();
            }
            leader = won;
            double jitter = 1.0 - 0.1 * ThreadLocalRandom.current().nextDouble();
            long delay = (long) ((won ? interval.toNanos() / 2 : interval.toNanos()) * jitter);
            cancelTimer();
            timer = scheduling.setTimer(delay, this::wake);
        }
    }

    // guarded by lock
    private void cancelTimer() {
        if (timer != NO_TIMER) {
            scheduling.cancelTimer(timer);
            timer = NO_TIMER;
        }
    }

    @Override
    public void release() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            leader = false;
            cancelTimer();
            long end = System.nanoTime() + RELEASE_WAIT_MILLIS * 1_000_000;
            while (running && end - System.nanoTime() > 0) {
                try {
                    lock.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        try {
            store.release(instance, owner);
        } catch (Exception e) {
            // a crashed node cannot: its lease expires by itself
        }
    }
}
