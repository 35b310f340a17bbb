package io.github.quarkuspeer.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Leadership;

/** An {@link Election} as the manager and the adapters see it. */
public final class ElectionPeer implements ManagedPeer {

    // replaced only by a resignation (dev mode)
    private volatile Election election;
    private final PeerKind kind;
    private final UnaryOperator<Election> resignation;
    private final long slackNanos;
    private final boolean resignable;

    /**
     * @param election the election of the instance
     * @param kind the kind it runs as
     * @param resignation releases an election and returns the one that runs for the instance next
     */
    public ElectionPeer(Election election, PeerKind kind, UnaryOperator<Election> resignation) {
        this(election, kind, resignation, true);
    }

    private ElectionPeer(Election election, PeerKind kind, UnaryOperator<Election> resignation, boolean resignable) {
        this.election = election;
        this.kind = kind;
        this.resignation = resignation;
        this.resignable = resignable;
        this.slackNanos = Math.max(Duration.ofSeconds(1).toNanos(), election.timing().renewPeriodNanos());
    }

    /** An election that cannot resign: tests and benchmarks that run one alone. */
    public ElectionPeer(Election election, PeerKind kind) {
        this(election, kind, current -> {
            throw new UnsupportedOperationException("instance " + current.instance() + " cannot resign here");
        }, false);
    }

    public Election election() {
        return election;
    }

    @Override
    public boolean canResign() {
        return resignable;
    }

    @Override
    public synchronized void resign() {
        election = resignation.apply(election);
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
    public boolean isLeader() {
        return election.isLeader();
    }

    @Override
    public Optional<String> getLeader() {
        return election.getLeader();
    }

    @Override
    public OptionalLong fencingToken() {
        return election.fencingToken();
    }

    @Override
    public void tick() {
        election.wakeIfOverdue(slackNanos);
    }

    @Override
    public PeerStatus status() {
        Election election = this.election;
        Leadership state = election.leadership();
        long now = System.nanoTime();
        boolean leads = state.leadsAt(now);
        return new PeerStatus(election.instance(), kind, election.node(), leads, state.leaderAt(now),
                state.tokenAt(now), leads ? Optional.of(Duration.ofNanos(state.deadline() - now)) : Optional.empty(),
                election.timing().lease(), Duration.ofNanos(election.failingForNanos()),
                Optional.ofNullable(election.lastError()));
    }
}
