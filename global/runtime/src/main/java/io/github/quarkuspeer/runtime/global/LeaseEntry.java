package io.github.quarkuspeer.runtime.global;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One command of an instance's Raft log: a lease ({@code released == false}) says "this owner holds the lease of the
 * instance, submitted in Raft term {@code term}, for {@code leaseMillis}"; a release says "this owner gives it up".
 * <p>
 * The entry carries the term it was submitted in because jgroups-raft never tells the state machine an entry's own
 * term; that term is the holder's fencing token. The owner is the random per-process identity of SPEC 5.2.
 *
 * @param released whether this is a release
 * @param instance the instance name
 * @param node the submitter's node name, for others to show
 * @param owner the submitter's per-process identity
 * @param term the Raft term in which the submitter led when it submitted the entry
 * @param leaseMillis how long the lease lasts from the moment its submitter sent it (0 for a release)
 */
public record LeaseEntry(boolean released, String instance, String node, String owner, long term, long leaseMillis) {

    private static final byte VERSION = 1;

    /** A lease of {@code owner}. */
    public static LeaseEntry lease(String instance, String node, String owner, long term, long leaseMillis) {
        return new LeaseEntry(false, instance, node, owner, term, leaseMillis);
    }

    /** The release of {@code owner}'s lease. */
    public static LeaseEntry release(String instance, String node, String owner, long term) {
        return new LeaseEntry(true, instance, node, owner, term, 0);
    }

    public byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 3 * owner.length());
            DataOutputStream out = new DataOutputStream(bytes);
            writeTo(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeByte(VERSION);
        out.writeBoolean(released);
        out.writeUTF(instance);
        out.writeUTF(node);
        out.writeUTF(owner);
        out.writeLong(term);
        out.writeLong(leaseMillis);
    }

    static LeaseEntry readFrom(DataInput in) throws IOException {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown lease entry version " + version);
        }
        return new LeaseEntry(in.readBoolean(), in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(),
                in.readLong());
    }

    /**
     * Decodes an entry.
     *
     * @throws IOException if the bytes are not an entry of this version
     */
    public static LeaseEntry decode(byte[] buffer, int offset, int length) throws IOException {
        if (buffer == null || length <= 0) {
            throw new IOException("empty log entry");
        }
        return readFrom(new DataInputStream(new ByteArrayInputStream(buffer, offset, length)));
    }
}
