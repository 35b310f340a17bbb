package io.github.quarkuspeer.runtime.global.sim;

import java.util.ArrayList;
import java.util.List;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.sim.SimProcess;
import io.github.quarkuspeer.runtime.election.sim.SimWorld;
import io.github.quarkuspeer.runtime.global.LeaseStateMachine;
import io.github.quarkuspeer.runtime.global.Takeover;

/**
 * One process running one member of the group: its election, and the state a process keeps in memory (what it
 * stored, what it applied), which a crash loses.
 */
final class Proc extends SimProcess {

    final Takeover takeover = new Takeover();
    LeaseStateMachine machine;
    Election election;
    final List<LeadershipChanged> events = new ArrayList<>();

    Proc(SimWorld world, String name, int incarnation, long offset, double rate) {
        super(world, name, incarnation, offset, rate);
    }

    @Override
    protected boolean takesClaims() {
        return !dead(); // code of a process that died meanwhile, never acted on
    }
}
