package io.github.quarkuspeer.runtime.global;

import java.util.Iterator;
import java.util.function.Predicate;

import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.AppendEntriesResponse;
import org.jgroups.protocols.raft.AppendResult;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/** A protocol for tests: drops the incoming messages a predicate picks (none by default). */
public class MessageDropper extends Protocol {

    static {
        ClassConfigurator.addProtocol((short) 1692, MessageDropper.class);
    }

    volatile Predicate<Message> drop = m -> false;
    short raftId;

    @Override
    public void init() throws Exception {
        super.init();
        raftId = RAFT.findProtocol(RAFT.class, this, false).getId();
    }

    /** The index an AppendEntriesResponse acknowledges, or -1. */
    long ackedIndex(Message m) {
        if (m.getHeader(raftId) instanceof AppendEntriesResponse r) {
            try {
                var field = AppendEntriesResponse.class.getDeclaredField("result");
                field.setAccessible(true);
                return ((AppendResult) field.get(r)).index();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return -1;
    }

    @Override
    public Object up(Message message) {
        return drop.test(message) ? null : up_prot.up(message);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext();) {
            if (drop.test(it.next())) {
                it.remove();
            }
        }
        if (!batch.isEmpty()) {
            up_prot.up(batch);
        }
    }
}
