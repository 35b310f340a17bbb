package io.github.quarkuspeer.runtime.global;

import org.jgroups.Event;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.election.BaseElection;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Tells the member when the group's leader may have changed: after the election protocol above it has handled a view
 * change or one of its own messages (a vote, a "leader elected"). jgroups-raft has no listener for that: its role
 * listener hears only this member's own changes of role, not a follower's change of leader.
 */
public class LeaderWatch extends Protocol {

    static final short ID = 1605;

    static {
        ClassConfigurator.addProtocol(ID, LeaderWatch.class);
    }

    private final Runnable afterElectionEvent;
    private short electionId = -1;

    /** @param afterElectionEvent called on the JGroups thread that delivered the event: must return at once */
    public LeaderWatch(Runnable afterElectionEvent) {
        this.afterElectionEvent = afterElectionEvent;
    }

    @Override
    public void init() throws Exception {
        super.init();
        BaseElection election = RAFT.findProtocol(BaseElection.class, this, false);
        if (election == null) {
            throw new IllegalStateException("LeaderWatch must be below ELECTION");
        }
        electionId = election.getId();
    }

    @Override
    public Object up(Event event) {
        Object result = up_prot.up(event);
        if (event.getType() == Event.VIEW_CHANGE) {
            afterElectionEvent.run();
        }
        return result;
    }

    @Override
    public Object up(Message message) {
        boolean election = message.getHeader(electionId) != null;
        Object result = up_prot.up(message);
        if (election) {
            afterElectionEvent.run();
        }
        return result;
    }

    @Override
    public void up(MessageBatch batch) {
        boolean election = false;
        for (Message message : batch) {
            election |= message.getHeader(electionId) != null;
        }
        up_prot.up(batch);
        if (election) {
            afterElectionEvent.run();
        }
    }
}
