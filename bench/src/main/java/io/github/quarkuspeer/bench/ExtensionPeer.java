package io.github.quarkuspeer.bench;

import java.time.Duration;
import java.util.Optional;

import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Timing;

/** The extension's own election, exactly as the runtime builds it, with the time of each win recorded. */
final class ExtensionPeer implements BenchPeer {

    private static final long RELEASE_WAIT_NANOS = Duration.ofSeconds(5).toNanos();

    private final Election election;
    private volatile long electedAt;

    ExtensionPeer(String instance, String node, Timing timing, LeaseStore store, Election.Scheduling scheduling) {
        this.election = new Election(instance, node, true, timing, store, scheduling, event -> {
            // called as the win is published, under the election's lock
            if (event.leader()) {
                electedAt = System.nanoTime();
            }
        }, System::nanoTime);
    }

    @Override
    public String instance() {
        return election.instance();
    }

    @Override
    public String node() {
        return election.node();
    }

    @Override
    public void start() {
        election.start().join();
    }

    @Override
    public boolean isLeader() {
        return election.isLeader();
    }

    /** The leader as this node last saw it; never asks the database. */
    Optional<String> getLeader() {
        return election.getLeader();
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
        election.release(RELEASE_WAIT_NANOS);
    }
}
