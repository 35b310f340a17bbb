package io.github.quarkuspeer.runtime.global;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.ObjectMessage;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.AppendEntriesRequest;
import org.jgroups.protocols.raft.AppendEntriesResponse;
import org.jgroups.protocols.raft.AppendResult;
import org.jgroups.protocols.raft.InstallSnapshotRequest;
import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.protocols.raft.LogEntry;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.RaftHeader;

/**
 * RAFT that commits and acknowledges only what a member knows to be the leader's, and keeps the entries it already
 * holds when a leader's snapshot arrives that they go beyond. The first is described at {@link #append}; the second
 * here.
 * <p>
 * jgroups-raft 1.1.3 installs every snapshot it receives: it resets the log to the snapshot's last index, dropping
 * every entry after it. A leader sends a member that lags a snapshot of its committed state whenever its queue has
 * been idle for the resend interval and it has not heard back, so a member whose answer is slow gets the same
 * snapshot again, after it appended (and acknowledged) the entries that followed. Installed then, the repeat erased
 * entries whose acknowledgement may have completed a majority: a committed lease missing from a majority, which
 * another member could then win over while its holder still leads. Raft's rule (section 7 of the paper) is to keep
 * the log when it already holds the snapshot's last entry; this applies it: a snapshot whose last entry this member
 * has committed, or holds with the same term, is acknowledged up to that entry and not installed.
 * <p>
 * It keeps RAFT's protocol id, so its messages are RAFT's on the wire.
 */
public class GuardedRaft extends RAFT {

    private static final Logger LOG = Logger.getLogger(GuardedRaft.class);
    static final short ID = 1606;
    private static final Field LAST_INCLUDED_INDEX = field(InstallSnapshotRequest.class, "last_included_index");
    private static final Field LAST_INCLUDED_TERM = field(InstallSnapshotRequest.class, "last_included_term");
    private static final Field LEADER = field(AppendEntriesRequest.class, "leader");
    private static final Field ENTRY_TERM = field(AppendEntriesRequest.class, "entry_term");
    private static final Field PREV_LOG_INDEX = field(AppendEntriesRequest.class, "prev_log_index");
    private static final Field PREV_LOG_TERM = field(AppendEntriesRequest.class, "prev_log_term");
    private static final Field LEADER_COMMIT = field(AppendEntriesRequest.class, "leader_commit");

    static {
        ClassConfigurator.addProtocol(ID, GuardedRaft.class);
    }

    private final AtomicLong snapshotsKept = new AtomicLong();
    private final AtomicLong acknowledgementsCapped = new AtomicLong();
    /** The term of {@link #verified}; both only on the thread that handles RAFT's requests. */
    private long verifiedTerm = -1;
    /** The last index up to which this member's log is known to be the current leader's. */
    private long verified;

    public GuardedRaft() {
        id = ClassConfigurator.getProtocolId(RAFT.class);
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Quarkus Peer: this jgroups-raft has no " + type.getSimpleName() + "."
                    + name + "; the global kind needs jgroups-raft 1.1.3", e);
        }
    }

    /**
     * How many acknowledgements of appends this member sent for less of its log than jgroups-raft would have, as the
     * rest was not known to be the leader's.
     */
    public long acknowledgementsCapped() {
        return acknowledgementsCapped.get();
    }

    /** How many snapshots this member acknowledged without installing them, as it held their last entry already. */
    public long snapshotsKept() {
        return snapshotsKept.get();
    }

    @Override
    public void handleUpRequest(Message message, RaftHeader header) {
        // on RAFT's runner thread (or the receiving thread in synchronous mode): in order with the appends
        if (header instanceof AppendEntriesRequest request && impl != null) {
            if (currentTerm(request.currTerm()) < 0) {
                return; // an earlier term's: dropped, as RAFT does
            }
            append(message, request);
            return;
        }
        if (header instanceof InstallSnapshotRequest request && impl != null) {
            if (currentTerm(request.currTerm()) < 0) {
                return; // an earlier term's: dropped, as RAFT does
            }
            long term = request.currTerm();
            long index = read(LAST_INCLUDED_INDEX, request);
            if (!holds(request)) {
                super.handleUpRequest(message, header); // installed (the term is settled: RAFT finds it current)
                if (currentTerm() == term && lastAppended() == index && commitIndex() >= index) {
                    verified(term); // the log is the leader's snapshot now (RAFT swallows a failed install)
                    verified = Math.max(verified, index);
                }
                return;
            }
            verified(term);
            verified = Math.max(verified, index);
            snapshotsKept.incrementAndGet();
            LOG.debugf("Quarkus Peer: %s keeps its log: it holds the last entry (%d) of the snapshot from %s",
                    getAddress(), index, message.src());
            AppendResult result = new AppendResult(AppendResult.Result.OK, index).commitIndex(commitIndex());
            down_prot.down(new EmptyMessage(message.src())
                    .putHeader(getId(), new AppendEntriesResponse(currentTerm(), result)));
            return;
        }
        super.handleUpRequest(message, header);
    }

    /**
     * RAFT's handling of an append, except that this member commits and acknowledges only what it knows to be the
     * leader's. jgroups-raft 1.1.3 commits up to the leader's commit index and acknowledges its whole log on a
     * commit-only message, or on an append at or below its commit index, without looking at the entries past its
     * commit index: entries an earlier leader appended here alone (and never committed) were then applied, and
     * acknowledged as the current leader's entries at the same indexes, which could complete a majority that holds
     * them once. Here an entry counts as the leader's once an append whose previous entry matched has put it, or
     * found it with the same term, in this log (Raft's log matching), or once it is committed.
     */
    private void append(Message message, AppendEntriesRequest request) {
        long term = request.currTerm();
        if (currentTerm() != term) {
            return; // a vote moved the term on meanwhile: this leader's request is of an earlier term now
        }
        long before = verified(term);
        LogEntries entries = message instanceof ObjectMessage object ? object.getObject() : null;
        long prevIndex = read(PREV_LOG_INDEX, request);
        long prevTerm = read(PREV_LOG_TERM, request);
        long leaderCommit = read(LEADER_COMMIT, request);
        AppendResult result = impl.handleAppendEntriesRequest(entries, (Address) get(LEADER, request), prevIndex,
                prevTerm, read(ENTRY_TERM, request), Math.min(leaderCommit, before));
        if (result == null) {
            return;
        }
        if (result.success()) {
            // what the append proved counts only for its own term: a vote may have moved the term on meanwhile
            long proved = currentTerm() == term ? Math.max(verified(term), matched(prevIndex, prevTerm, entries))
                    : before;
            if (currentTerm() == term) {
                verified = proved;
                if (leaderCommit > commitIndex() && proved > commitIndex()) {
                    commitLogTo(Math.min(leaderCommit, proved), false);
                }
            }
            if (result.index() > proved) {
                acknowledgementsCapped.incrementAndGet();
                result = new AppendResult(AppendResult.Result.OK, proved);
            }
        }
        result.commitIndex(commitIndex());
        down_prot.down(new EmptyMessage(message.src())
                .putHeader(getId(), new AppendEntriesResponse(term, result)));
    }

    /** The index up to which {@link #verified} holds for {@code term}, reset to the commit index in a new term. */
    private long verified(long term) {
        if (term != verifiedTerm) {
            verifiedTerm = term;
            verified = commitIndex(); // a committed entry is in every later leader's log
        }
        return verified;
    }

    /**
     * The last index up to which an append proves this log to be the leader's: its previous entry matches (by
     * index and term, or as committed), then each of its entries that this log now holds with the same term.
     */
    private long matched(long prevIndex, long prevTerm, LogEntries entries) {
        if (entries == null || entries.size() == 0) {
            return -1; // a commit-only message proves nothing (jgroups-raft sends it with no previous entry)
        }
        if (prevIndex > commitIndex()) {
            LogEntry previous = prevIndex < log().firstAppended() ? null : log().get(prevIndex);
            if (previous == null || previous.term() != prevTerm) {
                return -1;
            }
        }
        long index = prevIndex;
        for (LogEntry entry : entries) {
            LogEntry mine = index + 1 > lastAppended() ? null : log().get(index + 1);
            if (mine == null || mine.term() != entry.term()) {
                break;
            }
            index++;
        }
        return index;
    }

    /** Whether this member's log already holds the snapshot's last entry: committed, or with the same term. */
    private boolean holds(InstallSnapshotRequest request) {
        long index = read(LAST_INCLUDED_INDEX, request);
        long term = read(LAST_INCLUDED_TERM, request);
        if (index <= commitIndex()) {
            return true; // a committed prefix is the same on every member
        }
        if (index > lastAppended() || index < log().firstAppended()) {
            return false;
        }
        LogEntry entry = log().get(index);
        return entry != null && entry.term() == term;
    }

    private static long read(Field field, RaftHeader header) {
        try {
            return field.getLong(header);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object get(Field field, RaftHeader header) {
        try {
            return field.get(header);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
