package io.github.quarkuspeer.runtime.global;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.AppendEntriesResponse;
import org.jgroups.protocols.raft.AppendResult;
import org.jgroups.protocols.raft.InstallSnapshotRequest;
import org.jgroups.protocols.raft.LogEntry;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.RaftHeader;

/**
 * RAFT that keeps the entries a member already holds when a leader's snapshot arrives that they go beyond.
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
    private static final Field LAST_INCLUDED_INDEX = field("last_included_index");
    private static final Field LAST_INCLUDED_TERM = field("last_included_term");

    static {
        ClassConfigurator.addProtocol(ID, GuardedRaft.class);
    }

    private final AtomicLong snapshotsKept = new AtomicLong();

    public GuardedRaft() {
        id = ClassConfigurator.getProtocolId(RAFT.class);
    }

    private static Field field(String name) {
        try {
            Field field = InstallSnapshotRequest.class.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Quarkus Peer: this jgroups-raft has no InstallSnapshotRequest."
                    + name + "; the global kind needs jgroups-raft 1.1.3", e);
        }
    }

    /** How many snapshots this member acknowledged without installing them, as it held their last entry already. */
    public long snapshotsKept() {
        return snapshotsKept.get();
    }

    @Override
    public void handleUpRequest(Message message, RaftHeader header) {
        // on RAFT's runner thread (or the receiving thread in synchronous mode): in order with the appends
        if (header instanceof InstallSnapshotRequest request && impl != null) {
            if (currentTerm(request.currTerm()) < 0) {
                return; // an earlier term's: dropped, as RAFT does
            }
            if (!holds(request)) {
                super.handleUpRequest(message, header); // installed (the term is settled: RAFT finds it current)
                return;
            }
            long index = read(LAST_INCLUDED_INDEX, request);
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

    private static long read(Field field, InstallSnapshotRequest request) {
        try {
            return field.getLong(request);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
