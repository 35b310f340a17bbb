package io.github.quarkuspeer.bench;

import java.util.Optional;

import io.github.quarkuspeer.runtime.ElectionPeer;
import io.github.quarkuspeer.runtime.PeerKind;
import io.github.quarkuspeer.runtime.SchemaManagement;
import io.github.quarkuspeer.runtime.database.DatabasePeers;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;

/**
 * The extension's own election, built exactly as the runtime builds it ({@link DatabasePeers}, one per node as one
 * per process), with the time of each win recorded. The benchmark's shared listener stands in for each node's own
 * {@code LISTEN} connection, so that both schedules hear a release the same way.
 */
final class ExtensionPeer implements BenchPeer {

    private final DatabasePeers peers;
    private final Election election;
    /** What an application calls: the runtime's adapter around the election. */
    private final ElectionPeer peer;
    private volatile long electedAt;

    ExtensionPeer(String instance, String node, Timing timing, Schedule.Wiring wiring) {
        this.peers = new DatabasePeers(new DatabasePeers.Options(wiring::scheduling, Runnable::run, false,
                ClaimListener.NONE, wiring.decorator(), Optional.empty()));
        this.election = peers.add(new DatabasePeers.Spec(instance, node, true, timing, "bench", wiring.dataSource(),
                wiring.dialect(), wiring.table(), SchemaManagement.NONE), event -> {
                    // called as the win is published, under the election's lock
                    if (event.leader()) {
                        electedAt = System.nanoTime();
                    }
                });
        this.peer = new ElectionPeer(election, PeerKind.DATABASE);
    }

    @Override
    public String instance() {
        return peer.instance();
    }

    @Override
    public String node() {
        return peer.node();
    }

    @Override
    public void start() {
        peers.start().join();
    }

    @Override
    public boolean isLeader() {
        return peer.isLeader();
    }

    /** The leader as this node last saw it; never asks the database. */
    Optional<String> getLeader() {
        return peer.getLeader();
    }

    @Override
    public long electedAt() {
        return electedAt;
    }

    @Override
    public void released() {
        election.wake(true);
    }

    @Override
    public void release() {
        peers.stop();
    }
}
