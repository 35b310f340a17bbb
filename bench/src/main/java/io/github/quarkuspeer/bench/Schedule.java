package io.github.quarkuspeer.bench;

import java.time.Duration;

import io.github.quarkuspeer.bench.baseline.ObanSchedulePeer;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Timing;

/** The two schedules that every failover benchmark runs side by side. */
public enum Schedule {

    /** The extension's {@link Election}: what is being measured. */
    QUARKUS_PEER("Quarkus Peer") {
        @Override
        BenchPeer peer(String instance, String node, Duration interval, LeaseStore store,
                Election.Scheduling scheduling) {
            // the default lease-duration: one interval
            return new ExtensionPeer(instance, node, Timing.of(interval, interval), store, scheduling);
        }
    },

    /** The baseline: Oban's schedule on the same store, with Oban's own wake-up on a release ("down"). */
    OBAN("Oban schedule") {
        @Override
        BenchPeer peer(String instance, String node, Duration interval, LeaseStore store,
                Election.Scheduling scheduling) {
            return new ObanSchedulePeer(instance, node, interval, store, scheduling, true);
        }
    };

    final String label;

    Schedule(String label) {
        this.label = label;
    }

    /** A peer of this schedule whose lease lasts one interval, as both default to. */
    abstract BenchPeer peer(String instance, String node, Duration interval, LeaseStore store,
            Election.Scheduling scheduling);
}
