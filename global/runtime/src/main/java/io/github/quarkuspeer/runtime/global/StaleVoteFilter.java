package io.github.quarkuspeer.runtime.global;

import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;

import org.jgroups.Header;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.AppendEntriesResponse;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.election.BaseElection;
import org.jgroups.protocols.raft.election.VoteResponse;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Drops the votes of an earlier round: a protocol directly below {@code ELECTION} (or {@code ELECTION2}).
 * <p>
 * jgroups-raft 1.1.3's {@code BaseElection.handleVoteResponse} adds every {@code VoteResponse} to the current
 * round's collector without looking at its term, so an answer to round T that arrives late is counted as a vote in
 * round T+1, from a member that may never have voted in T+1, or voted for another coordinator: two leaders in one
 * term. The voting thread sets the term to the round's (RAFT's {@code createNewTerm}) before it resets the collector
 * and asks for votes, and a voter answers with exactly the term it was asked about, so an answer whose term is not
 * RAFT's current term belongs to another round.
 */
public class StaleVoteFilter extends Protocol {

    static final short ID = 1601;

    static {
        ClassConfigurator.addProtocol(ID, StaleVoteFilter.class);
    }

    private short raftId = -1;
    private short electionId = -1;
    private RAFT raft;
    private final AtomicLong dropped = new AtomicLong();

    @Override
    public void init() throws Exception {
        super.init();
        BaseElection election = RAFT.findProtocol(BaseElection.class, this, false);
        raft = RAFT.findProtocol(RAFT.class, this, false);
        if (election == null || raft == null) {
            throw new IllegalStateException("StaleVoteFilter must be below ELECTION and RAFT");
        }
        electionId = election.getId();
        raftId = raft.getId();
    }

    /** How many votes of an earlier round were dropped. */
    public long dropped() {
        return dropped.get();
    }

    private boolean stale(Message message) {
        Header header = message.getHeader(electionId);
        if (header instanceof VoteResponse vote) {
            long current = raft.currentTerm();
            if (vote.currTerm() != current) {
                dropped.incrementAndGet();
                log.debug("%s: dropped a vote of %s for term %d in the round of term %d", raft.raftId(),
                        message.src(), vote.currTerm(), current);
                return true;
            }
        }
        return false;
    }

    /**
     * Drops an acknowledgement of entries that RAFT accepted in term T when this member has moved to a later term
     * before it is sent: it voted meanwhile (jgroups-raft 1.1.3 answers a vote on another thread than the one that
     * appends), and its vote reported its log without those entries. The old leader must not commit them on this
     * acknowledgement, or the next leader, elected on that vote, would miss an entry committed in the earlier term.
     * An acknowledgement that passes here was sent after the append had ended, so any later vote sees the entry.
     */
    @Override
    public Object down(Message message) {
        if (raftId >= 0 && message.getHeader(raftId) instanceof AppendEntriesResponse response
                && response.currTerm() < raft.currentTerm()) {
            dropped.incrementAndGet();
            return null;
        }
        return down_prot.down(message);
    }

    @Override
    public Object up(Message message) {
        return stale(message) ? null : up_prot.up(message);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext();) {
            if (stale(it.next())) {
                it.remove();
            }
        }
        if (!batch.isEmpty()) {
            up_prot.up(batch);
        }
    }
}
