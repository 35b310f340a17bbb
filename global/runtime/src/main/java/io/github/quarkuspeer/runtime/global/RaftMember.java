package io.github.quarkuspeer.runtime.global;

import java.io.IOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

import org.jboss.logging.Logger;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.protocols.raft.LogEntry;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.Role;
import org.jgroups.protocols.raft.election.BaseElection;
import org.jgroups.raft.RaftHandle;
import org.jgroups.raft.util.Utils;
import org.jgroups.stack.Protocol;

import io.github.quarkuspeer.runtime.ConfigKeys;

/**
 * This node's member of one instance's Raft group: its locked data directory, its guarded log, its channel with the
 * peer's guards, and what the lease store reads of them ({@link RaftLeaseStore.Group}).
 * <p>
 * It can leave and rejoin the group ({@link #stepDown}) with a new channel on the same directory, so that the group
 * elects a leader of a new term; a member whose log failed leaves for good.
 */
public final class RaftMember implements RaftLeaseStore.Group, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RaftMember.class);
    /** The marker of a directory whose member joined its group (see {@link EmptyDirectoryGuard}). */
    static final String JOINED = "joined";
    private static final int REJOIN_ATTEMPTS = 5;
    private static final long JOIN_ALLOWANCE_NANOS = TimeUnit.SECONDS.toNanos(3);

    /**
     * Ways for tests to reach into the member.
     *
     * @param protocols rewrites the protocol list (bottom to top) before the channel is made, guards included
     * @param logs makes the log, from the listener it must tell
     */
    public record Hooks(UnaryOperator<List<Protocol>> protocols, Function<GuardedLog.Listener, GuardedLog> logs) {

        /** Production: nothing changed. */
        public static final Hooks NONE = new Hooks(protocols -> protocols, GuardedLog::new);
    }

    /** One channel of the member: what a rejoin replaces. */
    private record Connection(JChannel channel, RaftHandle handle, RAFT raft, GuardedLog log,
            LeaseStateMachine machine, EmptyDirectoryGuard guard) {
    }

    private final GlobalSettings settings;
    private final LongSupplier clock;
    private final Executor background;
    private final Hooks hooks;
    private final Takeover takeover = new Takeover();
    private final String incarnation = UUID.randomUUID().toString();
    private final CompletableFuture<Void> decided = new CompletableFuture<>();
    private volatile Runnable changed = () -> {
    };

    private FileChannel lockFile;
    private FileLock lock;
    private volatile Connection connection;
    private volatile LeaseStateMachine machine;
    private volatile String rejoining;
    private volatile String failure;
    private volatile String refusal;
    private volatile boolean closed;
    private volatile long leaderlessSince;

    /**
     * @param settings the instance's settings
     * @param clock the monotonic clock
     * @param background runs the blocking work of a rejoin or a leave
     * @param hooks {@link Hooks#NONE} but in tests
     */
    public RaftMember(GlobalSettings settings, LongSupplier clock, Executor background, Hooks hooks) {
        this.settings = settings;
        this.clock = clock;
        this.background = background;
        this.hooks = hooks;
        this.machine = new LeaseStateMachine(clock, takeover, this::changed);
    }

    /** Tells {@code listener} whenever leadership of the group or of the lease may have changed; set it before open. */
    public void onChange(Runnable listener) {
        this.changed = listener;
    }

    public GlobalSettings settings() {
        return settings;
    }

    /**
     * Locks the data directory and joins the group.
     *
     * @throws IllegalStateException naming the node if another process holds the directory or the address, or the
     *         group already has a member of this name
     */
    public synchronized void open() throws Exception {
        lock();
        try {
            connection = connectRetryingDuplicates();
        } catch (Exception e) {
            unlock();
            throw e;
        }
    }

    /**
     * Joins, waiting for a while if the group still counts a member of this name: the process this one replaces,
     * killed a moment ago, stays in the group's view until failure detection excludes it.
     */
    private Connection connectRetryingDuplicates() throws Exception {
        long patience = 2 * (Stack.suspectAfterMillis(settings.timing()) + Stack.verifyMillis(settings.timing()))
                + 1_000;
        long until = System.currentTimeMillis() + patience;
        while (true) {
            try {
                return connect();
            } catch (Duplicate e) {
                if (System.currentTimeMillis() > until) {
                    throw new IllegalStateException(e.getMessage() + "; still after " + patience + " ms, so another "
                            + "process runs as this node", e);
                }
                LOG.debugf("Quarkus Peer: %s; trying again", e.getMessage());
                Thread.sleep(250);
            }
        }
    }

    /** The group has a member of this node's name. */
    private static final class Duplicate extends IllegalStateException {
        Duplicate(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Waits until this member is in the group or refused; at once unless its data directory was empty.
     *
     * @throws IllegalStateException if it was refused: the group has history and its directory is empty
     */
    public void awaitAdmission(Duration within) {
        try {
            decided.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.infof("Quarkus Peer: node %s waits for the other members of instance %s to confirm that the group is "
                    + "new (its data directory %s was empty); it cannot lead until they do", settings.node(),
                    settings.instance(), settings.directory());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void lock() throws IOException {
        Path directory = settings.directory();
        Files.createDirectories(directory);
        lockFile = FileChannel.open(directory.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockFile.close();
            lockFile = null;
            throw new IllegalStateException("Quarkus Peer: node '" + settings.node() + "' cannot start instance "
                    + settings.instance() + ": its data directory " + directory + " is locked by another process; is "
                    + "this node already running? (" + ConfigKeys.key(settings.instance(), "global.data-dir") + ")");
        }
    }

    private void unlock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockFile != null) {
                lockFile.close();
            }
        } catch (IOException e) {
            LOG.debugf("Quarkus Peer: releasing the lock of %s: %s", settings.directory(), e);
        }
        lock = null;
        lockFile = null;
    }

    /**
     * Whether a log directory lacks what a member that took part keeps there: its term and vote
     * ({@code metadata.raft}, never empty once the log was opened) and its entries ({@code entries.raft}).
     */
    private static boolean lacksItsLog(Path log) throws IOException {
        Path metadata = log.resolve("metadata.raft");
        return !Files.isRegularFile(metadata) || Files.size(metadata) == 0
                || !Files.isRegularFile(log.resolve("entries.raft"));
    }

    private Connection connect() throws Exception {
        Path directory = settings.directory();
        boolean empty = !Files.exists(directory.resolve(JOINED));
        if (!empty && lacksItsLog(directory.resolve("raft"))) {
            // the marker says it took part, but its term, vote or entries are gone: it could vote twice in a term or
            // forget entries it acknowledged; the directory is not empty, so join-with-empty-data-dir does not apply
            throw new IllegalStateException("Quarkus Peer: the data directory " + directory + " of node '"
                    + settings.node() + "' says it joined the group of instance " + settings.instance()
                    + ", but its Raft log is missing: treat the directory as lost (give the node a new name in "
                    + ConfigKeys.key(settings.instance(), "global.members") + "), or, for a name that never voted, "
                    + "empty the directory and set "
                    + ConfigKeys.key(settings.instance(), "global.join-with-empty-data-dir") + "=true");
        }
        GuardedLog log = hooks.logs().apply(new GuardedLog.Listener() {
            @Override
            public void stored(long index, LogEntries entries) {
                RaftMember.this.stored(entries);
            }

            @Override
            public void reinitialized(long index) {
                changed();
            }

            @Override
            public void poisoned(Throwable cause) {
                RaftMember.this.poisoned(cause);
            }
        });
        log.init(directory.resolve("raft").toString(), new HashMap<>());
        if (empty && settings.joinWithEmptyDataDir()) {
            markJoined(); // after the log exists: a marker never comes without one
            empty = false;
        }
        // everything the log holds counts as stored now
        long now = clock.getAsLong();
        // the snapshot first: it is older than every entry of the log
        ByteBuffer snapshot = log.getSnapshot();
        if (snapshot != null) {
            LeaseStateMachine.feedSnapshot(takeover, snapshot, now);
        }
        log.forEach((entry, index) -> feed(entry, now));
        LeaseStateMachine fresh = new LeaseStateMachine(clock, takeover, this::changed);
        if (snapshot != null) {
            fresh.expectOwnSnapshot(); // counted above, in its place before the log
        }

        List<Protocol> protocols = new ArrayList<>(settings.stack()
                .map(file -> Stack.fromFile(ConfigKeys.key(settings.instance(), "global.stack"), file))
                .orElseGet(this::builtInStack));
        RAFT raft = null;
        int election = -1;
        for (int i = 0; i < protocols.size(); i++) {
            if (protocols.get(i) instanceof RAFT r) {
                raft = r;
            } else if (protocols.get(i) instanceof BaseElection) {
                election = i;
            }
        }
        raft.members(settings.memberNames()).raftId(settings.node()).log(log).logUseFsync(true)
                .sendCommitsImmediately(false);
        raft.setValue("dynamic_view_changes", false);
        if (settings.stack().isEmpty()) {
            // RAFT resends to a follower that lags only when its queue was idle for this long, and a follower that
            // lacks the tail of the log (the last entries of a leader that left, a member that rejoined) rejects
            // appends until then: the first commit of a new leader waits for it. When nobody lags it sends nothing.
            raft.resendInterval(50).maxLogSize(64 * 1024);
        }
        EmptyDirectoryGuard guard = new EmptyDirectoryGuard(settings.node(), settings.memberNames(), incarnation,
                empty, new EmptyDirectoryGuard.Listener() {
                    @Override
                    public void joining() throws Exception {
                        markJoined();
                    }

                    @Override
                    public void joined() {
                        decided.complete(null);
                        changed();
                    }

                    @Override
                    public void refused(String member) {
                        RaftMember.this.refused(member);
                    }
                });
        protocols.addAll(election, List.of(guard, new LeaderWatch(this::leaderMayHaveChanged), new StaleVoteFilter()));
        protocols = hooks.protocols().apply(protocols);

        JChannel channel = new JChannel(protocols).name(settings.node());
        RaftHandle handle = new RaftHandle(channel, fresh);
        handle.addRoleListener(this::roleChanged);
        Connection joining = new Connection(channel, handle, raft, log, fresh, guard);
        // a member that joins has no leader yet: the group forms (the first member waits for others a second), and a
        // new group first confirms that every member is new; it counts as leaderless only after that allowance
        leaderlessSince = clock.getAsLong() + JOIN_ALLOWANCE_NANOS;
        machine = fresh;
        connection = joining; // what RAFT tells while connecting concerns it already
        try {
            channel.connect(settings.clusterName());
        } catch (Exception e) {
            connection = null;
            try {
                channel.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw connectFailure(e);
        }
        if (!guard.quarantined()) {
            decided.complete(null);
        }
        leaderMayHaveChanged();
        return joining;
    }

    private List<Protocol> builtInStack() {
        try {
            return Stack.builtIn(settings);
        } catch (IOException e) {
            throw new IllegalStateException("Quarkus Peer: instance " + settings.instance() + ": cannot resolve the "
                    + "members' addresses (" + ConfigKeys.key(settings.instance(), "global.members") + "): " + e, e);
        }
    }

    private RuntimeException connectFailure(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException) {
                return new IllegalStateException("Quarkus Peer: node '" + settings.node() + "' cannot start instance "
                        + settings.instance() + ": it cannot bind " + settings.self().host() + ":"
                        + settings.self().port() + " (" + cause.getMessage() + "); is another process running as this "
                        + "node? (" + ConfigKeys.key(settings.instance(), "global.members") + ")", e);
            }
            if (cause instanceof SecurityException) {
                return new Duplicate("Quarkus Peer: node '" + settings.node() + "' cannot join the group of "
                        + "instance " + settings.instance() + ": it already has a member named " + settings.node()
                        + " (" + cause.getMessage() + ")", e);
            }
        }
        return new IllegalStateException("Quarkus Peer: node '" + settings.node() + "' cannot join the group of "
                + "instance " + settings.instance() + ": " + e.getMessage(), e);
    }

    private void markJoined() throws IOException {
        // the log first: after a power cut, a marker must never be found without the term, vote and entries
        // it vouches for
        Path log = settings.directory().resolve("raft");
        for (String name : List.of("metadata.raft", "entries.raft")) {
            Path file = log.resolve(name);
            if (Files.exists(file)) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    channel.force(true);
                }
            }
        }
        for (Path directory : List.of(log, settings.directory())) {
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
        Path marker = settings.directory().resolve(JOINED);
        try (FileChannel file = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            file.force(true);
        }
        try (FileChannel directory = FileChannel.open(settings.directory(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    // ------------------------------------------------------------------------------------------- what RAFT tells

    private void stored(LogEntries entries) {
        long now = clock.getAsLong();
        boolean release = false;
        for (LogEntry entry : entries) {
            LeaseEntry lease = feed(entry, now);
            release |= lease != null && lease.released();
        }
        if (release) {
            changed();
        }
    }

    private LeaseEntry feed(LogEntry entry, long now) {
        if (entry == null || entry.internal() || entry.command() == null || entry.length() == 0) {
            return null;
        }
        try {
            LeaseEntry lease = LeaseEntry.decode(entry.command(), entry.offset(), entry.length());
            takeover.stored(lease, now);
            return lease;
        } catch (IOException e) {
            return null; // not a lease: the state machine reports it
        }
    }

    private void roleChanged(Role role) {
        leaderMayHaveChanged();
        changed();
    }

    private void leaderMayHaveChanged() {
        Connection current = connection;
        if (current != null && twinInView(current)) {
            return;
        }
        boolean known = current != null && current.raft().leader() != null;
        if (known) {
            if (leaderlessSince != 0) {
                leaderlessSince = 0;
                changed();
            }
        } else if (leaderlessSince == 0) {
            leaderlessSince = clock.getAsLong();
        }
    }

    /**
     * Whether another process runs as this node in the group's view: the group refuses its join, but not a merge of
     * two groups, for example after a member with the same name and another address formed a group of its own. Two
     * members with one Raft id could vote twice in a term, so both leave for good.
     */
    private boolean twinInView(Connection current) {
        org.jgroups.View view = current.channel().getView();
        if (view == null || failure != null) {
            return failure != null;
        }
        long same = view.getMembers().stream()
                .filter(a -> a instanceof org.jgroups.util.ExtendedUUID && settings.node().equals(Utils.extractRaftId(a)))
                .count();
        if (same < 2) {
            return false;
        }
        failure = "another process runs as node " + settings.node() + " in the group of instance "
                + settings.instance() + " (" + view + "); both left the group for good";
        LOG.errorf("Quarkus Peer: %s: check quarkus.peer.node and %s on every node", failure,
                ConfigKeys.key(settings.instance(), "global.members"));
        leaveForGood();
        return true;
    }

    private void changed() {
        try {
            changed.run();
        } catch (RuntimeException e) {
            LOG.debugf("Quarkus Peer: waking the election of instance %s failed: %s", settings.instance(), e);
        }
    }

    private void poisoned(Throwable cause) {
        failure = "the Raft log of this node failed, and it left the group for good: " + cause.getMessage();
        LOG.errorf("Quarkus Peer: node %s: %s; restart it once its disk works", settings.node(), failure);
        leaveForGood();
    }

    /** Leaves the group and never rejoins it: drops the connection and closes its channel in the background. */
    private void leaveForGood() {
        background.execute(() -> {
            Connection leaving;
            synchronized (this) {
                leaving = connection;
                connection = null;
            }
            if (leaving != null) {
                leaving.channel().close();
            }
        });
    }

    private void refused(String member) {
        refusal = "node '" + settings.node() + "' cannot join the group of instance " + settings.instance()
                + ": its data directory " + settings.directory() + " is empty, but member " + member + " has history "
                + "that this node had no part in. A member whose directory was lost must not rejoin under its old "
                + "name (it could vote twice in a term): add it under a new name and remove the old one from "
                + ConfigKeys.key(settings.instance(), "global.members") + "; or, only if this name never took part in "
                + "the group, set " + ConfigKeys.key(settings.instance(), "global.join-with-empty-data-dir") + "=true";
        LOG.errorf("Quarkus Peer: %s", refusal);
        decided.completeExceptionally(new IllegalStateException("Quarkus Peer: " + refusal));
    }

    // ------------------------------------------------------------------------------------------- Group

    @Override
    public long leaderTerm() {
        Connection current = connection;
        if (current == null) {
            return -1;
        }
        RAFT raft = current.raft();
        long term = raft.currentTerm();
        return raft.isLeader() && raft.currentTerm() == term ? term : -1;
    }

    @Override
    public boolean leaderKnown() {
        Connection current = connection;
        return current != null && current.raft().leader() != null;
    }

    @Override
    public long leaderlessForNanos() {
        long since = leaderlessSince;
        return since == 0 || leaderKnown() ? 0 : Math.max(0, clock.getAsLong() - since);
    }

    @Override
    public CompletableFuture<?> submit(byte[] entry) throws Exception {
        Connection current = connection;
        if (current == null) {
            throw new IllegalStateException("not connected");
        }
        return current.handle().setAsync(entry, 0, entry.length);
    }

    @Override
    public LeaseStateMachine.Applied applied() {
        return machine.applied();
    }

    @Override
    public Takeover takeover() {
        return takeover;
    }

    @Override
    public String unavailable() {
        if (closed) {
            return "the peer is stopped";
        }
        if (failure != null) {
            return failure;
        }
        if (refusal != null) {
            return refusal;
        }
        String leaving = rejoining;
        if (leaving != null) {
            return "this node is leaving and rejoining the group: " + leaving;
        }
        Connection current = connection;
        if (current == null) {
            return "this node is not in the group";
        }
        if (current.guard().quarantined()) {
            return "this node waits for every member to confirm that the group is new: its data directory was empty";
        }
        return null;
    }

    @Override
    public void stepDown(String why) {
        synchronized (this) {
            if (closed || failure != null || rejoining != null || connection == null) {
                return;
            }
            rejoining = why;
        }
        LOG.infof("Quarkus Peer: node %s leaves the group of instance %s and rejoins it: %s", settings.node(),
                settings.instance(), why);
        background.execute(this::rejoin);
    }

    private void rejoin() {
        Connection old;
        synchronized (this) {
            old = connection;
            connection = null;
        }
        if (old != null) {
            old.channel().close(); // leaves: the others elect without this member
        }
        for (int attempt = 1; attempt <= REJOIN_ATTEMPTS; attempt++) {
            synchronized (this) {
                if (closed) {
                    rejoining = null;
                    return;
                }
                try {
                    connection = connectRetryingDuplicates();
                    rejoining = null;
                    break;
                } catch (Exception e) {
                    LOG.warnf("Quarkus Peer: node %s could not rejoin the group of instance %s (attempt %d): %s",
                            settings.node(), settings.instance(), attempt, e.getMessage());
                    if (attempt == REJOIN_ATTEMPTS) {
                        failure = "this node left the group of instance " + settings.instance()
                                + " and could not rejoin it: " + e.getMessage();
                        rejoining = null;
                    }
                }
            }
        }
        changed();
    }

    // ------------------------------------------------------------------------------------------- for tests

    /** The Raft id of the group's leader as this member knows it, or {@code null}. */
    public String raftLeader() {
        Connection current = connection;
        Address leader = current == null ? null : current.raft().leader();
        return leader == null ? null : Utils.extractRaftId(leader);
    }

    /** This member's RAFT protocol, while it is in the group. */
    public RAFT raft() {
        Connection current = connection;
        return current == null ? null : current.raft();
    }

    /** This member's channel, while it is in the group. */
    public JChannel channel() {
        Connection current = connection;
        return current == null ? null : current.channel();
    }

    /** Compacts this member's log into a snapshot now. */
    public void snapshot() throws Exception {
        Connection current = connection;
        if (current != null) {
            current.handle().snapshot();
        }
    }

    /** The log of this member, while it is in the group. */
    public GuardedLog log() {
        Connection current = connection;
        return current == null ? null : current.log();
    }

    /** Leaves the group (without a release: the election releases first) and unlocks the directory. */
    @Override
    public void close() {
        Connection current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            current = connection;
            connection = null;
        }
        if (current != null) {
            current.channel().close();
        }
        synchronized (this) {
            unlock();
        }
        decided.complete(null);
    }
}
