package io.github.quarkuspeer.bench;

import java.time.Duration;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import io.github.quarkuspeer.bench.baseline.ObanSchedulePeer;
import io.github.quarkuspeer.runtime.database.DatabasePeers;
import io.github.quarkuspeer.runtime.database.Dialect;
import io.github.quarkuspeer.runtime.database.JdbcLeaseStore;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Timing;

/** The two schedules that every failover benchmark runs side by side. */
public enum Schedule {

    /** The extension's {@link Election}: what is being measured. */
    QUARKUS_PEER("Quarkus Peer") {
        @Override
        BenchPeer peer(String instance, String node, Duration interval, Wiring wiring) {
            // the default lease-duration: one interval
            return new ExtensionPeer(instance, node, Timing.of(interval, interval), wiring);
        }
    },

    /** The baseline: Oban's schedule on the same store, with Oban's own wake-up on a release ("down"). */
    OBAN("Oban schedule") {
        @Override
        BenchPeer peer(String instance, String node, Duration interval, Wiring wiring) {
            // the same statements with the timeout the extension would give a table of this lease
            LeaseStore store = wiring.decorator().apply(new JdbcLeaseStore(wiring.dataSource(), wiring.dialect(),
                    wiring.table(), DatabasePeers.clientTimeoutOf(interval)));
            return new ObanSchedulePeer(instance, node, interval, store, wiring.scheduling(), true);
        }
    };

    /**
     * What a node's peer runs on: its own connections to the table, its timers and worker threads, and the wrapper
     * that counts and crashes its statements.
     */
    record Wiring(DataSource dataSource, Dialect dialect, String table, Election.Scheduling scheduling,
            UnaryOperator<LeaseStore> decorator) {
    }

    final String label;

    Schedule(String label) {
        this.label = label;
    }

    /** A peer of this schedule whose lease lasts one interval, as both default to. */
    abstract BenchPeer peer(String instance, String node, Duration interval, Wiring wiring);
}
