package io.github.quarkuspeer.runtime.global;

import java.util.Iterator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jgroups.Header;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.election.BaseElection;
import org.jgroups.protocols.raft.election.VoteRequest;
import org.jgroups.protocols.raft.election.VoteResponse;
import org.jgroups.raft.util.Utils;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Test only, below the election protocol: on a coordinator it delays the term-1 vote of one member; on a voter it drops
 * the request for one term's vote, so that the voter never votes in that term.
 */
public class VoteChaos extends Protocol {

    static {
        ClassConfigurator.addProtocol((short) 1690, VoteChaos.class);
    }

    private final String delayed;
    private final long delayMillis;
    private final long droppedRequestTerm;
    private short electionId;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private VoteChaos(String delayed, long delayMillis, long droppedRequestTerm) {
        this.delayed = delayed;
        this.delayMillis = delayMillis;
        this.droppedRequestTerm = droppedRequestTerm;
    }

    /** On the coordinator: the term-1 vote of {@code member} arrives {@code delayMillis} late. */
    static VoteChaos delayingFirstVoteOf(String member, long delayMillis) {
        return new VoteChaos(member, delayMillis, -1);
    }

    /** On a voter: the request for a vote in {@code term} never arrives. */
    static VoteChaos droppingRequestFor(long term) {
        return new VoteChaos("", 0, term);
    }

    @Override
    public void init() throws Exception {
        super.init();
        electionId = RAFT.findProtocol(BaseElection.class, this, false).getId();
    }

    private boolean intercept(Message message) {
        Header header = message.getHeader(electionId);
        if (header instanceof VoteRequest request && request.currTerm() == droppedRequestTerm) {
            return true;
        }
        if (header instanceof VoteResponse vote && vote.currTerm() == 1
                && delayed.equals(Utils.extractRaftId(message.src()))) {
            timer.schedule(() -> up_prot.up(message), delayMillis, TimeUnit.MILLISECONDS);
            return true;
        }
        return false;
    }

    @Override
    public Object up(Message message) {
        return intercept(message) ? null : up_prot.up(message);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext();) {
            if (intercept(it.next())) {
                it.remove();
            }
        }
        if (!batch.isEmpty()) {
            up_prot.up(batch);
        }
    }

    @Override
    public void stop() {
        timer.shutdownNow();
        super.stop();
    }
}
