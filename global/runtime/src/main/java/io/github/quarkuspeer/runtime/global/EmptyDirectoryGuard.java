package io.github.quarkuspeer.runtime.global;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.Event;
import org.jgroups.Header;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.election.BaseElection;
import org.jgroups.raft.util.Utils;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Keeps a member whose data directory is empty out of Raft until it is known that the group has no history it could
 * have taken part in. A protocol directly below {@code ELECTION}, above the transport.
 * <p>
 * A member that lost its directory forgets its vote of the current term (it could vote twice in one term) and the
 * entries it acknowledged (a committed entry could drop below a majority): Raft's promises, and with them the lease's,
 * assume neither happens. jgroups-raft neither prevents nor reports it. So a member that starts with an empty
 * directory is <em>quarantined</em>: every RAFT and ELECTION message to or from it is dropped (it never votes, never
 * acknowledges, never learns a term), and it asks every member in its view whether it has history. It joins once every
 * other configured member has answered that it is as new as itself: the first start of a new group, every directory
 * empty. It is refused, and stays out for good, as soon as one member answers that it has history the asking process
 * had no part in. The answer of a member is: "new" while it is itself quarantined; otherwise "has history", with the
 * identities of the processes that started the group together with it, if it started that way. So a member that
 * joined before a slower one asked still lets it in, but the same name started again later, in a new process with an
 * empty directory, is refused.
 * <p>
 * The operator can let a member in anyway ({@code join-with-empty-data-dir}): only right for a name that never took
 * part in the group. A member that joined writes a marker into its directory ({@link Listener#joining()}); a
 * directory without it is empty for this guard, even if a quarantined process left Raft files in it.
 */
public class EmptyDirectoryGuard extends Protocol {

    static final short ID = 1603;
    private static final short HEADER_MAGIC = 1604;

    static {
        ClassConfigurator.addProtocol(ID, EmptyDirectoryGuard.class);
        ClassConfigurator.add(HEADER_MAGIC, Probe.class);
    }

    /** What the guard decides; called on a JGroups thread, must return at once. */
    public interface Listener {
        /**
         * About to join: write the marker, durably. Throwing keeps the member quarantined.
         *
         * @throws Exception if the marker cannot be written
         */
        void joining() throws Exception;

        /** Joined: Raft messages flow from now on. */
        void joined();

        /** Refused for good: {@code member} has history that this process had no part in. */
        void refused(String member);
    }

    private final String self;
    private final List<String> members;
    private final String incarnation;
    private final Listener listener;
    private short raftId = -1;
    private short electionId = -1;
    private volatile boolean quarantined;
    private volatile boolean refused;
    /** For the members that answered, who may join with this process: their identity, and their cohort. */
    private final Map<String, Set<String>> admitted = new HashMap<>();
    /** The processes that started the group with this one, if it joined that way; empty otherwise. */
    private volatile Set<String> cohort = Set.of();

    /**
     * @param self this member's Raft id
     * @param members the Raft ids of the group
     * @param incarnation this process's identity in the group (random)
     * @param empty whether this member's directory is empty (no marker)
     * @param listener hears the decision
     */
    public EmptyDirectoryGuard(String self, List<String> members, String incarnation, boolean empty,
            Listener listener) {
        this.self = self;
        this.members = List.copyOf(members);
        this.incarnation = incarnation;
        this.listener = listener;
        this.quarantined = empty;
    }

    @Override
    public void init() throws Exception {
        super.init();
        RAFT raft = RAFT.findProtocol(RAFT.class, this, false);
        BaseElection election = RAFT.findProtocol(BaseElection.class, this, false);
        if (raft == null || election == null) {
            throw new IllegalStateException("EmptyDirectoryGuard must be below ELECTION and RAFT");
        }
        raftId = raft.getId();
        electionId = election.getId();
        if (quarantined) {
            admitIfAllNew(); // a group of one
        }
    }

    /** Whether Raft messages are still kept from this member. */
    public boolean quarantined() {
        return quarantined;
    }

    private boolean raftMessage(Message message) {
        return message.getHeader(raftId) != null || message.getHeader(electionId) != null;
    }

    @Override
    public Object down(Message message) {
        if (quarantined && raftMessage(message)) {
            return null;
        }
        return down_prot.down(message);
    }

    @Override
    public Object up(Message message) {
        Probe probe = message.getHeader(id);
        if (probe != null) {
            handle(message.src(), probe);
            return null;
        }
        if (quarantined && raftMessage(message)) {
            return null;
        }
        return up_prot.up(message);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext();) {
            Message message = it.next();
            Probe probe = message.getHeader(id);
            if (probe != null) {
                it.remove();
                handle(message.src(), probe);
            } else if (quarantined && raftMessage(message)) {
                it.remove();
            }
        }
        if (!batch.isEmpty()) {
            up_prot.up(batch);
        }
    }

    @Override
    public Object up(Event event) {
        if (event.getType() == Event.VIEW_CHANGE && quarantined && !refused) {
            View view = event.getArg();
            for (Address member : view.getMembers()) {
                if (!member.equals(local_addr)) {
                    send(member, new Probe(Probe.ASK, incarnation, true, Set.of()));
                }
            }
        }
        return up_prot.up(event);
    }

    private void handle(Address from, Probe probe) {
        if (probe.type == Probe.ASK) {
            send(from, new Probe(Probe.ANSWER, incarnation, quarantined, cohort));
            return;
        }
        if (!quarantined || refused) {
            return;
        }
        String member = Utils.extractRaftId(from);
        if (!members.contains(member) || member.equals(self)) {
            return;
        }
        if (probe.isNew) {
            admit(member, Set.of(probe.incarnation));
        } else if (probe.cohort.contains(incarnation)) {
            admit(member, probe.cohort);
        } else {
            refused = true;
            listener.refused(member);
        }
    }

    private void admit(String member, Set<String> with) {
        synchronized (admitted) {
            admitted.put(member, with);
        }
        admitIfAllNew();
    }

    private void admitIfAllNew() {
        Set<String> together = new LinkedHashSet<>();
        together.add(incarnation);
        synchronized (admitted) {
            for (String member : members) {
                if (member.equals(self)) {
                    continue;
                }
                Set<String> with = admitted.get(member);
                if (with == null) {
                    return;
                }
                together.addAll(with);
            }
        }
        try {
            listener.joining();
        } catch (Exception e) {
            log.error("%s: cannot record that this member joined; it stays out of the group: %s", self, e);
            return;
        }
        cohort = Set.copyOf(together);
        quarantined = false;
        listener.joined();
    }

    private void send(Address to, Probe probe) {
        try {
            down_prot.down(new EmptyMessage(to).putHeader(id, probe).setFlag(Message.Flag.OOB));
        } catch (RuntimeException e) {
            log.debug("%s: could not send %s to %s: %s", self, probe, to, e);
        }
    }

    /** A question ("are you new?") or its answer. */
    public static final class Probe extends Header {
        static final byte ASK = 1;
        static final byte ANSWER = 2;

        byte type;
        String incarnation;
        boolean isNew;
        Set<String> cohort;

        public Probe() {
        }

        Probe(byte type, String incarnation, boolean isNew, Set<String> cohort) {
            this.type = type;
            this.incarnation = incarnation;
            this.isNew = isNew;
            this.cohort = cohort;
        }

        @Override
        public short getMagicId() {
            return HEADER_MAGIC;
        }

        @Override
        public Supplier<? extends Header> create() {
            return Probe::new;
        }

        @Override
        public int serializedSize() {
            int size = 1 + 2 + incarnation.length() * 3 + 1 + 4;
            for (String member : cohort) {
                size += 2 + member.length() * 3;
            }
            return size;
        }

        @Override
        public void writeTo(DataOutput out) throws IOException {
            out.writeByte(type);
            out.writeUTF(incarnation);
            out.writeBoolean(isNew);
            out.writeInt(cohort.size());
            for (String member : cohort) {
                out.writeUTF(member);
            }
        }

        @Override
        public void readFrom(DataInput in) throws IOException {
            type = in.readByte();
            incarnation = in.readUTF();
            isNew = in.readBoolean();
            int size = in.readInt();
            Set<String> read = new LinkedHashSet<>();
            for (int i = 0; i < size; i++) {
                read.add(in.readUTF());
            }
            cohort = read;
        }

        @Override
        public String toString() {
            return (type == ASK ? "ask" : "answer") + "(" + incarnation + ", new=" + isNew + ", cohort=" + cohort + ")";
        }
    }
}
