package io.github.quarkuspeer.runtime.election.sim;

import java.util.ArrayList;
import java.util.List;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;

/**
 * One process of the simulated cluster running one election, with its own owner id, and the announcements it made.
 */
final class SimNode extends SimProcess {

    /** An announced change of leadership, at the true time it was announced. */
    record Announced(LeadershipChanged event, long at) {
    }

    Election election;
    final List<Announced> events = new ArrayList<>();

    SimNode(SimWorld world, String name, int incarnation, long offset, double rate) {
        super(world, name, incarnation, offset, rate);
    }

    void notifyReleased() {
        election.wake(true);
    }

    Election.Listener listener() {
        return event -> events.add(new Announced(event, world.now()));
    }

    Timing timing() {
        return election.timing();
    }
}
