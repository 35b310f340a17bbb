package io.github.quarkuspeer.runtime.election;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.election.Decisions.Outcome;
import io.github.quarkuspeer.runtime.election.Decisions.Step;
import io.github.quarkuspeer.runtime.election.Decisions.Transition;

/**
 * The election of one instance on one node, against a {@link LeaseStore}.
 *
 * <h2>The loop</h2>
 * A round sends one statement that takes a free or expired lease, or renews this process's own, and reads back who
 * holds it ({@link LeaseStore#acquireOrRenew}); a follower that knows of a live lease only reads it
 * ({@link LeaseStore#read}), and tries to take it when the read finds it gone, or finds it its own (a write whose
 * answer was lost). {@link Decisions#afterRound} turns the answer into the leadership to publish and the delay before
 * the next round. Rounds run one at a time on a worker thread; a timer wakes the next one: the leader renews every
 * half interval, a follower looks at the interval or a little before the leader's lease expires, and again just
 * after it if it was not renewed; a failed round is retried after 1 s, 2 s, 4 s... A notification that the lease
 * was released wakes a round at once.
 *
 * <h2>What is guaranteed</h2>
 * <ul>
 * <li>{@link #isLeader()} is true only before the local deadline of a lease that a statement of this process
 * wrote: {@code t_sent + min(lease, time left as answered) - margin}, where {@code t_sent} is read from the
 * monotonic clock before the statement was sent and the margin is {@link Timing#safetyMarginNanos()}. Every other
 * node takes a lease over only once the database clock says it expired, which is after that deadline, whether the
 * answer was fresh, from an old snapshot or late. A plain read of this process's own lease never extends it. So two
 * nodes never both answer true, even when this node is paused or cut off and its loop never runs again.</li>
 * <li>Identity is per process ({@link #owner()}): two processes with the same node name never both lead.</li>
 * <li>Every term carries a fencing token greater than that of any term before it; a term that ended (announced
 * {@code LOST}) is never resumed with the same token.</li>
 * <li>Losing leadership is always announced: by the round that finds another owner, or by a timer at the deadline
 * if no round comes in time.</li>
 * <li>Once {@link #release} has begun, no statement is sent and nothing is published; the lease is deleted once
 * the statement in flight, if any, has ended, so that nothing can win the lease back on the way out.</li>
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

        /**
         * Runs {@code task} on a worker thread, never on an event loop.
         *
         * @throws RuntimeException if the work cannot be accepted (the election retries later)
         */
        void runBlocking(Runnable task);
    }

    /** Receives the changes of this node's leadership, and what each round found; must return at once. */
    public interface Listener {
        void changed(LeadershipChanged event);

        /**
         * A round ended, on the round's own thread: what it found, and how long it took from its first statement
         * to its answer (or failure). Rounds that a release refused are not reported.
         */
        default void round(Outcome outcome, long tookNanos) {
        }
    }

    /** An answer that arrived after the deadline it could have given: the round failed. */
    static final class LateAnswer extends Exception {
        LateAnswer(long tookNanos) {
            super("the answer arrived after the deadline it could give (the round took "
                    + TimeUnit.NANOSECONDS.toMillis(tookNanos) + " ms)", null, false, false);
        }
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
    private final LeaseStore.Gate readGate = () -> openGate(false);
    private final LeaseStore.Gate writeGate = () -> openGate(true);
    private volatile ClaimListener claims = ClaimListener.NONE;
    private volatile DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    private volatile Leadership state = Leadership.NONE;

    private final Object lock = new Object();
    // guarded by lock
    private boolean running;
    private boolean rerun;
    private boolean notified;
    private volatile boolean stopped;
    private boolean inStatement;
    private boolean releaseFinishing;
    private CompletableFuture<LeadershipChanged> released;
    private Transition resignation;
    private long wakeTimer = NO_TIMER;
    private long deadlineTimer = NO_TIMER;
    private long nextRoundAt;
    private long wakeGeneration;
    private long claimStart;
    private long highestToken;

    // written by rounds only (one at a time), read by health checks
    private volatile int failures;
    private volatile long failingSince;
    private volatile String lastError;
    private volatile Outcome lastOutcome;

    private final CompletableFuture<Void> firstRound = new CompletableFuture<>();
    /**
     * Whether this process may own a lease row: it sent a statement that could have written one (the gate opened:
     * a round that never reached the database does not count), and no later round showed the lease held by another
     * or by nobody. Only then does a release send a {@code DELETE}.
     */
    private volatile boolean mayOwn;
    /** The leader this node last said it follows, so that it says so once per leader. */
    private String followed;

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

    /** The source of the jitter of the election's schedule, numbers in [0, 1); set it before {@link #start()}. */
    public void random(DoubleSupplier random) {
        this.random = random;
    }

    /** This process's identity for the instance, written into the lease it holds. */
    public String owner() {
        return owner;
    }

    public Timing timing() {
        return timing;
    }

    public boolean candidate() {
        return candidate;
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
        try {
            scheduling.runBlocking(this::runRounds);
        } catch (RuntimeException e) {
            // The worker pool refused the round (saturated, or shutting down): the election must not stop for good.
            LOG.debugf("Quarkus Peer: a round of instance %s was refused (%s); retrying", instance, e.toString());
            synchronized (lock) {
                running = false;
                lock.notifyAll();
                if (!stopped) {
                    armWakeQuietly(timing.backoffNanos(1));
                }
            }
        }
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
        boolean done = false;
        try {
            while (!done) {
                try {
                    round();
                } catch (RuntimeException | Error e) {
                    // A bug, not an outage; keep the election alive all the same.
                    LOG.errorf(e, "Quarkus Peer: unexpected failure in a round of instance %s", instance);
                    synchronized (lock) {
                        if (!stopped) {
                            armWakeQuietly(timing.backoffNanos(1));
                        }
                    }
                } finally {
                    firstRound.complete(null);
                }
                synchronized (lock) {
                    // decided and cleared under one lock: a notification that arrives after this point finds the
                    // election not running and starts a round of its own
                    done = stopped || !rerun;
                    rerun = false;
                    if (done) {
                        running = false;
                        lock.notifyAll();
                    }
                }
            }
        } finally {
            if (!done) {
                synchronized (lock) {
                    running = false;
                    lock.notifyAll();
                }
            }
        }
    }

    private void round() {
        boolean releaseNotified;
        Leadership before;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            releaseNotified = notified;
            notified = false;
            before = state;
        }
        long sent = clock.getAsLong();
        long began = sent;
        // A follower that believes another node's lease is live only looks: a plain read takes no lock and writes
        // nothing, however many followers there are. It tries to take the lease when it may be free: no live lease
        // known, the known one about to have expired, or a notification that it was released.
        boolean look = !candidate || (!before.leading() && before.leaderAt(sent).isPresent() && !releaseNotified);
        Optional<Observation> seen = Optional.empty();
        try {
            if (look) {
                seen = statement(() -> store.read(instance, readGate));
            }
            // A read that finds this process's own lease (a write whose answer was lost) proves nothing about how
            // long it lasts: renew it with a write, or do not lead.
            if (candidate && (!look || seen.isEmpty() || seen.get().owner().equals(owner))) {
                sent = clock.getAsLong();
                boolean continueTerm = state.leadsAt(sent);
                seen = statement(() -> store.acquireOrRenew(instance, node, owner, timing.lease(), continueTerm,
                        writeGate));
            }
        } catch (LeaseStore.Refused refused) {
            return;
        } catch (Exception e) {
            failed(e);
            listener.round(Outcome.FAILED, clock.getAsLong() - began);
            return;
        }
        long now = clock.getAsLong();
        Step step;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            step = Decisions.afterRound(state, seen, owner, node, candidate, sent, now, timing,
                    random.getAsDouble(), highestToken);
            publish(step);
            if (step.outcome() != Outcome.LATE) {
                armWake(step.delayNanos());
            }
        }
        lastOutcome = step.outcome();
        listener.round(step.outcome(), now - began);
        if (step.outcome() == Outcome.LATE) {
            // counted as a failure, so that it backs off and health reports a node that can never lead
            failed(new LateAnswer(now - sent));
            return;
        }
        if (step.outcome() == Outcome.FOLLOWING || step.outcome() == Outcome.VACANT) {
            mayOwn = false;
        }
        if (step.outcome() == Outcome.FOLLOWING) {
            following(seen.orElseThrow().node());
        } else if (step.after().leading()) {
            followed = null;
        }
        recovered();
    }

    /** Says once whom this node follows, and again when another node leads. */
    private void following(String leader) {
        if (!leader.equals(followed)) {
            followed = leader;
            LOG.infof("Quarkus Peer: node %s follows %s for instance %s", node, leader, instance);
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    /** Runs one call of the store; once it has returned, a release that waited for it goes on. */
    private <T> T statement(Call<T> call) throws Exception {
        try {
            return call.run();
        } finally {
            boolean finish = false;
            synchronized (lock) {
                inStatement = false;
                if (stopped && !releaseFinishing) {
                    releaseFinishing = true;
                    finish = true;
                }
            }
            if (finish) {
                finishRelease();
            }
        }
    }

    /**
     * The gate of every statement: none is sent once a release has begun. A statement that may write this
     * process's lease makes the release that follows delete it.
     */
    private boolean openGate(boolean write) {
        synchronized (lock) {
            if (stopped) {
                return false;
            }
            inStatement = true;
            mayOwn |= write;
            return true;
        }
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
            highestToken = Math.max(highestToken, after.token());
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
            Transition lost = Decisions.afterDeadline(current, now);
            if (lost == null) {
                // not yet due (a renewal moved the deadline, or the timer ran early): wait for the rest
                cancel(deadlineTimer);
                deadlineTimer = scheduling.setTimer(Math.max(current.deadline() - now, 0), this::onDeadline);
                return;
            }
            deadlineTimer = NO_TIMER;
            state = Leadership.NONE;
            // the claim ended at its deadline, already recorded as its end
            announce(lost);
        }
    }

    // guarded by lock (or, once stopped, by the single release): events leave in the order of the transitions
    private LeadershipChanged announce(Transition t) {
        if (t.leader()) {
            LOG.infof("Quarkus Peer: node %s leads instance %s (fencing token %d, %s)", node, instance, t.token(),
                    t.reason());
        } else {
            LOG.infof("Quarkus Peer: node %s no longer leads instance %s (fencing token %d, %s)", node, instance,
                    t.token(), t.reason());
        }
        LeadershipChanged event = new LeadershipChanged(instance, node, t.leader(), t.token(), t.reason());
        listener.changed(event);
        return event;
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

    // guarded by lock: when no timer can be set, the periodic check finds the round overdue and wakes it
    private void armWakeQuietly(long delayNanos) {
        try {
            armWake(delayNanos);
        } catch (RuntimeException e) {
            LOG.debugf("Quarkus Peer: no timer for the next round of instance %s (%s)", instance, e.toString());
        }
    }

    private void cancel(long timer) {
        if (timer != NO_TIMER) {
            scheduling.cancelTimer(timer);
        }
    }

    /**
     * Gives leadership up for good. At once: stops claiming it, and lets no further statement be sent. Then, as
     * soon as the statement in flight (if any) has ended: deletes this process's lease if it may own one (which
     * tells the other nodes), and announces {@code RESIGNED}, or {@code LOST} if its deadline had already passed.
     * The delete runs on the calling thread if no statement is in flight, otherwise on the thread of that statement
     * when it returns. Calling it again returns the same future.
     *
     * @return completes once the lease is deleted (or the attempt failed), with the event announced, or
     *         {@code null} if this node was not leading
     */
    public CompletableFuture<LeadershipChanged> release() {
        boolean finishNow;
        CompletableFuture<LeadershipChanged> result;
        synchronized (lock) {
            if (released != null) {
                return released;
            }
            result = released = new CompletableFuture<>();
            stopped = true;
            long at = clock.getAsLong();
            Leadership before = state;
            resignation = Decisions.onRelease(before, at);
            state = Leadership.NONE;
            if (before.leading()) {
                claims.ended(instance, node, before.token(), at);
            }
            cancel(wakeTimer);
            cancel(deadlineTimer);
            wakeTimer = NO_TIMER;
            deadlineTimer = NO_TIMER;
            finishNow = !inStatement;
            releaseFinishing |= finishNow;
        }
        if (finishNow) {
            finishRelease();
        }
        return result;
    }

    private void finishRelease() {
        LeadershipChanged event = null;
        try {
            if (mayOwn) {
                try {
                    store.release(instance, owner);
                } catch (Exception e) {
                    LOG.warnf("Quarkus Peer: could not release the lease of instance %s (%s); it expires by itself",
                            instance, describe(e));
                }
            }
            Transition t = resignation;
            if (t != null) {
                event = announce(t);
            }
        } finally {
            released.complete(event);
        }
    }

    /** How long elections have failed without a break, or 0 if the last round succeeded. */
    public long failingForNanos() {
        return failures == 0 ? 0 : clock.getAsLong() - failingSince;
    }

    /** The error of the last failed round while rounds fail, otherwise {@code null}. */
    public String lastError() {
        return failures == 0 ? null : lastError;
    }

    /** What the last successful round found, or {@code null} before the first one. */
    public Outcome lastOutcome() {
        return lastOutcome;
    }

    /** The published leadership, for diagnostics and tests. */
    public Leadership leadership() {
        return state;
    }
}
