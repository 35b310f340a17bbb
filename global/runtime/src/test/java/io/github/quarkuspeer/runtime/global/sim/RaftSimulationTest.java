package io.github.quarkuspeer.runtime.global.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The takeover rule on a simulated clock and network: the real election and lease store of the global kind, over an
 * abstract Raft group ({@link SimRaft}) whose members' processes are paused, killed and restarted, released, cut off
 * by partitions, and whose leadership changes at any moment, with messages delayed and dropped. Every schedule is fixed
 * by its seed; a failure prints the seeds and the history of the first one; {@code -Dpeer.raftsim.seed=N} replays one,
 * {@code -Dpeer.raftsim.schedules=N} runs more.
 * <p>
 * The checks: no two processes' claims of leadership overlap in true time; every term has a greater fencing token
 * than the terms before it; {@code RESIGNED} only from a process that led until it began to release.
 */
class RaftSimulationTest {

    private static final int SCHEDULES = Integer.getInteger("peer.raftsim.schedules", 400);
    private static final Logger QUIET = Logger.getLogger("io.github.quarkuspeer");
    private static Level level;

    @BeforeAll
    static void quiet() {
        level = QUIET.getLevel();
        QUIET.setLevel(Level.OFF);
    }

    @AfterAll
    static void loud() {
        QUIET.setLevel(level);
    }

    @Test
    void noTwoClaimsEverOverlapAndTokensOnlyGrow() {
        Long only = Long.getLong("peer.raftsim.seed");
        long first = only != null ? only : 1;
        int count = only != null ? 1 : SCHEDULES;
        List<Long> failed = new ArrayList<>();
        String firstFailure = null;
        long events = 0;
        long claims = 0;
        for (long seed = first; seed < first + count; seed++) {
            RaftSchedule schedule = new RaftSchedule(seed);
            List<String> broken = schedule.run();
            events += schedule.events();
            claims += schedule.claims();
            if (!broken.isEmpty()) {
                failed.add(seed);
                if (firstFailure == null) {
                    firstFailure = String.join("\n", broken.subList(0, Math.min(5, broken.size()))) + "\n"
                            + schedule.log();
                }
            }
        }
        System.out.printf("Raft simulation: %d schedules, %d events, %d terms of leadership, %d failed%n", count,
                events, claims, failed.size());
        assertThat(claims).as("terms of leadership: the schedules must elect").isGreaterThan(count);
        assertThat(failed).as("seeds whose schedule broke a promise (first: %s)", firstFailure).isEmpty();
    }
}
