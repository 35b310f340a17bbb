package io.github.quarkuspeer.runtime.election;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.election.Decisions.Step;
import io.github.quarkuspeer.runtime.election.Decisions.Transition;

/**
 * The election of one instance on one node, against a {@link LeaseStore}.
 *
 * <h2>The loop</h2>
 * A round sends one statement that takes a free or expired lease, or renews this process's own, and reads back who
 * holds it ({@link LeaseStore#acquireOrRenew}); a follower that knows of a live lease only reads it
 * ({@link LeaseStore#read}), and tries to take it when the read finds it gone. {@link Decisions#afterRound} turns the
 * answer into the leadership to publish and the delay before the next round. Rounds run one at a time on a worker
 * thread; a timer wakes the next one: the leader renews every half interval, a follower looks at the interval or a
 * little before the leader's lease expires, and again just after it if it was not renewed; a failed round is
 * retried after 1 s, 2 s, 4 s... A notification that the lease was released wakes a round at once.
 *
 * <h2>What is guaranteed</h2>
 * <ul>
 * <li>{@link #isLeader()} is true only before the local deadline of a won lease, taken from the monotonic clock
 * before the statement was sent, less a safety margin ({@link Timing#safetyMarginNanos()}). Every other node takes
 * a lease over only once the database clock says it expired, which is after that deadline. So two nodes never
 * both answer true, even when this node is paused or cut off and its loop never runs again.</li>
 * <li>Identity is per process ({@link #owner()}): two processes with the same node name never both lead.</li>
 * <li>Every term carries a fencing token greater than that of any term before it.</li>
 * <li>Losing leadership is always announced: by the round that finds another owner, or by a timer at the deadline
 * if no round comes in time.</li>
 * <li>Once {@link #release} has begun, no round publishes anything or runs again.</li>
 * </ul>
 * What is not guaranteed: that a leader's work stops at its deadline. Work that outlives it must carry the fencing
 * token to the resource it changes.
 */
public final class Election implements Peer {

    private static final Logger LOG = Logger.getLogger(Election.class);

    /** Where an election waits and runs its blocking work. */
    public interface Scheduling {

        /** Runs {@code task} once after {@code delayNanos}; returns a handle for {@link #cancelTimer}. */
        long setTimer(long delayNanos, Runnable task);

        void cancelTimer(long handle);

        /** Runs {@code task} on a worker thread, never on an event loop. */
        void runBlocking(Runnable task);
    }

    /** Receives the changes of this node's leadership; must return at once (deliver elsewhere). */
    public interface Listener {
        void changed(LeadershipChanged event);
    }

    private static final long NO_TIMER = -1;

    private final String instance;
    private final String node;
    private final String owner = UUID.randomUUID().toString();
    private final boolean candidate;
    private final Timing timing;
    private final LeaseStore store;
    private final Scheduling scheduling;
    private final Listener listener;
    private final LongSupplier clock;
    private volatile ClaimListener claims = ClaimListener.NONE;
    private long claimStart;

    private volatile Leadership state = Leadership.NONE;

    private final Object lock = new Object();
    // guarded by lock
    private boolean running;
    private boolean rerun;
    private boolean notified;
    private boolean stopped;
    private long wakeTimer = NO_TIMER;
    private long deadlineTimer = NO_TIMER;
    private long nextRoundAt;
    private long wakeGeneration;

    // written by rounds only (one at a time), read by health checks
    private volatile int failures;
    private volatile long failingSince;
    private volatile String lastError;

    private final CompletableFuture<Void> firstRound = new CompletableFuture<>();
    /** Whether a round ever sent a statement that could have written a lease. */
    private volatile boolean wrote;

    public Election(String instance, String node, boolean candidate, Timing timing, LeaseStore store,
            Scheduling scheduling, Listener listener, LongSupplier clock) {
        this.instance = instance;
        this.node = node;
        this.candidate = candidate;
        this.timing = timing;
        this.store = store;
        this.scheduling = scheduling;
        this.listener = listener;
        this.clock = clock;
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
        Leadership current = state;
        // a follower answers from the snapshot alone; only a leader needs the clock, to honour its deadline
        return current.leading() && current.leadsAt(clock.getAsLong());
    }

    @Override
    public Optional<String> getLeader() {
        return state.leaderAt(clock.getAsLong());
    }

    @Override
    public OptionalLong fencingToken() {
        Leadership current = state;
        return current.leading() ? current.tokenAt(clock.getAsLong()) : OptionalLong.empty();
    }

    /** Reports every claim of leadership to {@code listener}; set it before {@link #start()}. */
    public void claimListener(ClaimListener listener) {
        this.claims = listener;
    }

    /** This process's identity for the instance, written into the lease it holds. */
    public String owner() {
        return owner;
    }

    public Timing timing() {
        return timing;
    }

    /** Starts the first round; the returned future completes when it has ended, won or not. */
    public CompletableFuture<Void> start() {
        wake(false);
        return firstRound;
    }

    /**
     * Runs a round now, unless one is running; a notification that arrives during a round makes another follow it,
     * since that round may have read the lease before it was released.
     */
    public void wake(boolean notification) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            notified |= notification;
            if (running) {
                rerun |= notification;
                return;
            }
            running = true;
            cancel(wakeTimer);
            wakeTimer = NO_TIMER;
            wakeGeneration++;
        }
        scheduling.runBlocking(this::runRounds);
    }

    /**
     * Runs a round if the next one is overdue by more than {@code slackNanos}: the periodic check that keeps the
     * election going should a timer ever be lost.
     */
    public void wakeIfOverdue(long slackNanos) {
        boolean overdue;
        synchronized (lock) {
            overdue = !stopped && !running && clock.getAsLong() - nextRoundAt > slackNanos;
        }
        if (overdue) {
            LOG.debugf("Quarkus Peer: round of instance %s was overdue", instance);
            wake(false);
        }
    }

    private void runRounds() {
        while (true) {
            try {
                round();
            } catch (RuntimeException | Error e) {
                // A bug, not an outage; keep the election alive all the same.
                LOG.errorf(e, "Quarkus Peer: unexpected failure in a round of instance %s", instance);
                synchronized (lock) {
                    armWake(timing.backoffNanos(1));
                }
            } finally {
                firstRound.complete(null);
            }
            synchronized (lock) {
                if (!stopped && rerun) {
                    rerun = false;
                    continue;
                }
                running = false;
                lock.notifyAll();
                return;
            }
        }
    }

    private void round() {
        boolean released;
        synchronized (lock) {
            released = notified;
            notified = false;
        }
        long sent = clock.getAsLong();
        Leadership before = state;
        boolean continueTerm = before.leadsAt(sent);
        // A follower that believes another node's lease is live only looks: a plain read takes no lock and writes
        // nothing, however many followers there are. It tries to take the lease when it may be free: no live lease
        // known, the known one about to have expired, or a notification that it was released.
        boolean look = !candidate || (!before.leading() && before.leaderAt(sent).isPresent() && !released);
        Optional<Observation> seen;
        try {
            seen = look ? store.read(instance) : Optional.empty();
            if (candidate && (!look || seen.isEmpty())) {
                wrote = true;
                seen = store.acquireOrRenew(instance, node, owner, timing.lease(), continueTerm);
            }
        } catch (Exception e) {
            failed(e);
            return;
        }
        long now = clock.getAsLong();
        synchronized (lock) {
            if (stopped) {
                return;
            }
            Step step = Decisions.afterRound(state, seen, owner, node, candidate, sent, now, timing,
                    ThreadLocalRandom.current().nextDouble());
            publish(step);
            armWake(step.delayNanos());
        }
        recovered();
    }

    private void failed(Exception e) {
        int count = failures + 1;
        failures = count;
        lastError = describe(e);
        long delay = timing.backoffNanos(count);
        if (count == 1) {
            failingSince = clock.getAsLong();
            LOG.warnf("Quarkus Peer: elections of instance %s are failing (%s); retrying with backoff, "
                    + "and this node keeps any lease it holds until its deadline", instance, lastError);
        } else {
            LOG.debugf("Quarkus Peer: round %d of instance %s failed again: %s", count, instance, lastError);
        }
        synchronized (lock) {
            if (!stopped) {
                armWake(delay);
            }
        }
    }

    private void recovered() {
        int count = failures;
        if (count > 0) {
            failures = 0;
            lastError = null;
            LOG.infof("Quarkus Peer: elections of instance %s work again after %d failed rounds", instance, count);
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + message;
    }

    // guarded by lock
    private void publish(Step step) {
        Leadership before = state;
        Leadership after = step.after();
        boolean newTerm = after.leading() && (!before.leading() || before.token() != after.token());
        if (newTerm) {
            claimStart = clock.getAsLong();
        }
        if (after.leading()) {
            // reported before it takes effect: the recorded claim always covers the published one
            claims.claimed(instance, node, after.token(), claimStart, after.deadline());
        }
        state = after;
        if (before.leading() && (!after.leading() || before.token() != after.token())) {
            claims.ended(instance, node, before.token(), clock.getAsLong());
        }
        if (after.leading() && (!before.leading() || after.deadline() != before.deadline())) {
            cancel(deadlineTimer);
            long until = after.deadline() - clock.getAsLong();
            deadlineTimer = scheduling.setTimer(Math.max(until, 0), this::onDeadline);
        } else if (!after.leading()) {
            cancel(deadlineTimer);
            deadlineTimer = NO_TIMER;
        }
        for (Transition t : step.transitions()) {
            announce(t);
        }
    }

    private void onDeadline() {
        synchronized (lock) {
            Leadership current = state;
            if (stopped || !current.leading()) {
                return;
            }
            long now = clock.getAsLong();
            Step step = Decisions.afterDeadline(current, now);
            if (step == null) {
                // not yet due (a renewal moved the deadline, or the timer ran early): wait for the rest
                cancel(deadlineTimer);
                deadlineTimer = scheduling.setTimer(Math.max(current.deadline() - now, 0), this::onDeadline);
                return;
            }
            deadlineTimer = NO_TIMER;
            state = step.after();
            // the claim ended at its deadline, already recorded as its end
            step.transitions().forEach(this::announce);
        }
    }

    // guarded by lock: events leave in the order of the transitions
    private void announce(Transition t) {
        if (t.leader()) {
            LOG.infof("Quarkus Peer: node %s leads instance %s (fencing token %d, %s)", node, instance, t.token(),
                    t.reason());
        } else {
            LOG.infof("Quarkus Peer: node %s no longer leads instance %s (fencing token %d, %s)", node, instance,
                    t.token(), t.reason());
        }
        listener.changed(new LeadershipChanged(instance, node, t.leader(), t.token(), t.reason()));
    }

    // guarded by lock
    private void armWake(long delayNanos) {
        cancel(wakeTimer);
        nextRoundAt = clock.getAsLong() + delayNanos;
        long generation = ++wakeGeneration;
        wakeTimer = scheduling.setTimer(delayNanos, () -> {
            synchronized (lock) {
                if (generation != wakeGeneration) {
                    return; // replaced by a later schedule after it had already fired
                }
                wakeTimer = NO_TIMER;
            }
            wake(false);
        });
    }

    private void cancel(long timer) {
        if (timer != NO_TIMER) {
            scheduling.cancelTimer(timer);
        }
    }

    /**
     * Gives leadership up for good: stops claiming it at once, waits up to {@code waitNanos} for a round in flight,
     * deletes this process's lease (which tells the other nodes), then announces {@link Reason#RESIGNED} if this
     * node was leading. No round runs afterwards, so nothing can win the lease back.
     *
     * @return the event announced, or {@code null} if this node was not leading
     */
    public LeadershipChanged release(long waitNanos) {
        Leadership before;
        synchronized (lock) {
            if (stopped) {
                return null;
            }
            stopped = true;
            before = state;
            state = Leadership.NONE;
            if (before.leading()) {
                claims.ended(instance, node, before.token(), clock.getAsLong());
            }
            cancel(wakeTimer);
            cancel(deadlineTimer);
            wakeTimer = NO_TIMER;
            deadlineTimer = NO_TIMER;
            long end = clock.getAsLong() + waitNanos;
            long left;
            while (running && (left = end - clock.getAsLong()) > 0) {
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (wrote) {
            // Even a node that does not lead by its own deadline may still own the row: delete it all the same.
            try {
                store.release(instance, owner);
            } catch (Exception e) {
                LOG.warnf("Quarkus Peer: could not release the lease of instance %s (%s); it expires by itself",
                        instance, describe(e));
            }
        }
        if (!before.leading()) {
            return null;
        }
        LOG.infof("Quarkus Peer: node %s no longer leads instance %s (fencing token %d, %s)", node, instance,
                before.token(), Reason.RESIGNED);
        LeadershipChanged event = new LeadershipChanged(instance, node, false, before.token(), Reason.RESIGNED);
        listener.changed(event);
        return event;
    }

    /** How long elections have failed without a break, or 0 if the last round succeeded. */
    public long failingForNanos() {
        return failures == 0 ? 0 : clock.getAsLong() - failingSince;
    }

    /** The error of the last failed round while rounds fail, otherwise {@code null}. */
    public String lastError() {
        return failures == 0 ? null : lastError;
    }

    /** The published leadership, for diagnostics and tests. */
    public Leadership leadership() {
        return state;
    }
}
