package io.github.quarkuspeer.runtime.global;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.jgroups.Address;
import org.jgroups.protocols.raft.FileBasedLog;
import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.protocols.raft.LogEntry;

/**
 * jgroups-raft 1.1.3's file log with the guards the global peer needs. Each guards a fault of that version, found in
 * its source and reproduced (see docs/modules/ROOT/pages/global.adoc):
 * <ul>
 * <li><b>Swallowed write errors.</b> {@code FileBasedLog.append} prints an {@code IOException} and returns, and a
 * follower then acknowledges entries it never stored (a "phantom" ack that can commit an entry on fewer than a
 * majority). Here an append that did not reach the log, or whose fsync fails (done again on a descriptor of our own,
 * which Linux tells about a writeback error too), <em>poisons</em> the log: this write and every later one throws, so
 * the follower stops acknowledging, and {@link #failure()} reports why.</li>
 * <li><b>A persisted term that goes down.</b> {@code FileBasedLog} writes the term of the entries it appends (or keeps)
 * as the current term: lower than the real one when a follower catches up on old entries. Raft needs the term, and
 * so the fencing token, never to go down: lower values are ignored.</li>
 * <li><b>A snapshot install that a restart loses.</b> {@code reinitializeTo} (1.1.3 and 1.1.4) never flips its buffer
 * and writes no bytes, so after a restart the log looks empty and every entry acknowledged since the install is gone.
 * The first entry's header is written here.</li>
 * <li><b>fsync.</b> RAFT turns it off unless {@code log_use_fsync} is set; here it cannot be turned off, and the vote,
 * the snapshot and the truncation, which the library never flushes, are flushed too.</li>
 * </ul>
 * It also tells a listener about every entry as it is stored (as leader or follower, before it is committed): the
 * moment the takeover rule counts from. It is created and opened by the peer and handed to RAFT before the channel
 * connects, so RAFT never opens a log of its own.
 */
public class GuardedLog extends FileBasedLog {

    /** Hears what the log stores, on the thread that stores it (RAFT's runner): must return at once. */
    public interface Listener {
        /** Entries were stored at {@code index} and after. */
        void stored(long index, LogEntries entries);

        /** A leader's snapshot replaced the log, up to {@code index}. */
        void reinitialized(long index);

        /** A write failed: the log accepts nothing more. */
        void poisoned(Throwable failure);
    }

    /** The size of an entry's header in the 1.1.x file format. */
    private static final int HEADER = 26;

    private final Listener listener;
    private volatile Throwable failure;
    private volatile boolean closed;
    private Path dir;
    private FileChannel entriesSync;
    private FileChannel metadataSync;
    private long highestTerm;
    private final AtomicLong termRegressionsBlocked = new AtomicLong();

    public GuardedLog(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void init(String name, Map<String, String> args) throws Exception {
        super.init(name, args);
        super.useFsync(true);
        dir = new File(name).toPath();
        highestTerm = super.currentTerm();
        metadataSync = FileChannel.open(dir.resolve("metadata.raft"), StandardOpenOption.READ);
        entriesSync = FileChannel.open(dir.resolve("entries.raft"), StandardOpenOption.READ);
    }

    /** Why the log accepts nothing more, or {@code null} while it is healthy. */
    public Throwable failure() {
        return failure;
    }

    /** How many lower terms were not persisted. */
    public long termRegressionsBlocked() {
        return termRegressionsBlocked.get();
    }

    @Override
    public GuardedLog useFsync(boolean ignored) {
        super.useFsync(true); // RAFT.start() passes log_use_fsync, false by default
        return this;
    }

    /**
     * Writes entries with the library's own code, which swallows errors: the one place a test can make a write fail
     * the way the library lets it fail.
     */
    protected long write(long index, LogEntries entries) {
        return super.append(index, entries);
    }

    @Override
    public long append(long index, LogEntries entries) {
        healthy();
        long last = write(index, entries);
        long expected = index + entries.size() - 1;
        if (last != expected) {
            throw poison("the append of " + entries.size() + " entries at index " + index
                    + " did not reach the log (last index " + last + ", expected " + expected + ")", null);
        }
        sync(entriesSync, false, "the append at index " + index);
        listener.stored(index, entries);
        return last;
    }

    @Override
    public synchronized GuardedLog currentTerm(long term) {
        healthy();
        if (term < highestTerm) {
            termRegressionsBlocked.incrementAndGet();
            return this;
        }
        super.currentTerm(term);
        highestTerm = term;
        return this;
    }

    @Override
    public GuardedLog votedFor(Address member) {
        healthy();
        super.votedFor(member);
        sync(metadataSync, true, "the vote"); // on disk before the vote leaves this node
        return this;
    }

    @Override
    public void deleteAllEntriesStartingFrom(long index) {
        healthy();
        super.deleteAllEntriesStartingFrom(index);
        if (lastAppended() != index - 1) {
            throw poison("deleting the entries from index " + index + " failed (last index " + lastAppended() + ")",
                    null);
        }
        sync(entriesSync, true, "deleting the entries from index " + index);
    }

    @Override
    public void truncate(long indexExclusive) {
        healthy();
        super.truncate(indexExclusive); // replaces entries.raft with a new file
        try {
            entriesSync.close();
            entriesSync = FileChannel.open(dir.resolve("entries.raft"), StandardOpenOption.READ);
        } catch (IOException e) {
            throw poison("reopening entries.raft after compaction", e);
        }
        sync(entriesSync, true, "the compaction up to index " + indexExclusive);
        syncDirectory();
    }

    @Override
    public synchronized void reinitializeTo(long index, LogEntry entry) {
        healthy();
        super.reinitializeTo(index, entry); // writes the snapshot's term, bypassing currentTerm(long)
        if (lastAppended() != index) {
            throw poison("installing a snapshot up to index " + index + " failed", null);
        }
        writeFirstHeader(index, entry);
        if (super.currentTerm() < highestTerm) {
            termRegressionsBlocked.incrementAndGet();
            super.currentTerm(highestTerm);
        }
        sync(entriesSync, true, "the snapshot install up to index " + index);
        listener.reinitialized(index);
    }

    /**
     * Writes the entry that {@code LogEntryStorage.reinitializeTo} means to write at offset 0, in the 1.1.x format
     * (big-endian: magic 1, total length, term, index, internal flag, data length, then the data), and fsyncs it.
     */
    private void writeFirstHeader(long index, LogEntry entry) {
        int length = entry.command() == null ? 0 : entry.length();
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + length);
        buffer.put((byte) 1).putInt(HEADER + length).putLong(entry.term()).putLong(index)
                .put((byte) (entry.internal() ? 1 : 0)).putInt(length);
        if (length > 0) {
            buffer.put(entry.command(), entry.offset(), length);
        }
        buffer.flip();
        try (FileChannel file = FileChannel.open(dir.resolve("entries.raft"), StandardOpenOption.WRITE)) {
            while (buffer.hasRemaining()) {
                file.write(buffer, buffer.position());
            }
            file.force(true);
        } catch (IOException e) {
            throw poison("writing the first entry after a snapshot install", e);
        }
    }

    @Override
    public void setSnapshot(ByteBuffer snapshot) {
        healthy();
        super.setSnapshot(snapshot); // written without fsync
        try (FileChannel file = FileChannel.open(dir.resolve("state_snapshot.raft"), StandardOpenOption.READ)) {
            file.force(true);
        } catch (IOException e) {
            throw poison("flushing the snapshot", e);
        }
        syncDirectory();
    }

    private void healthy() {
        if (closed) {
            throw new IllegalStateException("the Raft log in " + dir + " is closed");
        }
        Throwable cause = failure;
        if (cause != null) {
            throw new IllegalStateException("the Raft log in " + dir + " failed earlier: " + cause.getMessage(),
                    cause);
        }
    }

    private RuntimeException poison(String what, Throwable cause) {
        IllegalStateException failed = new IllegalStateException(
                "the Raft log in " + dir + " failed: " + what + (cause == null ? "" : " (" + cause + ")"), cause);
        if (closed) {
            return failed; // closed under a write in flight: the member is leaving, its disk did nothing wrong
        }
        boolean first;
        synchronized (this) {
            first = failure == null;
            if (first) {
                failure = failed;
            }
        }
        if (first) {
            listener.poisoned(failed);
        }
        return failed;
    }

    private void sync(FileChannel file, boolean metadata, String what) {
        try {
            file.force(metadata);
        } catch (IOException e) {
            throw poison("fsync after " + what, e);
        }
    }

    private void syncDirectory() {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            throw poison("fsync of the directory " + dir, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (entriesSync != null) {
                entriesSync.close();
            }
            if (metadataSync != null) {
                metadataSync.close();
            }
        } catch (IOException e) {
            // closing read-only descriptors loses nothing
        }
        super.close();
    }
}
