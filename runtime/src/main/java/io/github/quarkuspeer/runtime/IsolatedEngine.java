package io.github.quarkuspeer.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.election.Election;

/**
 * The {@code isolated} kind (and every instance with {@code enabled=false}): a fixed answer from start to stop,
 * announced {@code ELECTED} at the start and {@code RESIGNED} at the stop when it is {@code true}.
 */
@Singleton
public class IsolatedEngine implements PeerEngine {

    private static final Logger LOG = Logger.getLogger(IsolatedEngine.class);

    private record Member(IsolatedPeer peer, Election.Listener events) {
    }

    private final List<Member> members = new ArrayList<>();

    @Override
    public PeerKind kind() {
        return PeerKind.ISOLATED;
    }

    @Override
    public synchronized ManagedPeer add(InstanceSettings settings, Election.Listener events) {
        IsolatedPeer peer = new IsolatedPeer(settings);
        members.add(new Member(peer, events));
        return peer;
    }

    @Override
    public String describe(InstanceSettings settings) {
        return settings.enabled() ? "a fixed answer, leader=" + settings.isolatedLeader() : "disabled, never leads";
    }

    @Override
    public synchronized CompletableFuture<Void> start() {
        for (Member member : members) {
            if (member.peer().start()) {
                announce(member, true, Reason.ELECTED);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized void stop() {
        for (Member member : members) {
            if (member.peer().stop()) {
                announce(member, false, Reason.RESIGNED);
            }
        }
    }

    private static void announce(Member member, boolean leader, Reason reason) {
        IsolatedPeer peer = member.peer();
        LOG.infof("Quarkus Peer: node %s %s instance %s (fencing token %d, %s)", peer.node(),
                leader ? "leads" : "no longer leads", peer.instance(), IsolatedPeer.TOKEN, reason);
        member.events().changed(new LeadershipChanged(peer.instance(), peer.node(), leader, IsolatedPeer.TOKEN,
                reason));
    }
}
