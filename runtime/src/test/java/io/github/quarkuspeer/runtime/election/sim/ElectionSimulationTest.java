package io.github.quarkuspeer.runtime.election.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@link io.github.quarkuspeer.runtime.election.Election} on a simulated clock, against a simulated
 * database that delays statements, commits statements whose reply is lost, commits statements long after their
 * client gave up, answers from a snapshot older than the latest commit, and pauses, kills and restarts processes.
 * Every schedule is fixed by its seed; a failure prints the seeds and the history of the first one, and
 * {@code -Dpeer.sim.seed=N} replays one ({@code -Dpeer.sim.schedules=N} runs more, {@code -Dpeer.sim.first=N} starts
 * elsewhere, {@code -Dpeer.sim.show=two} shows the first schedule whose first broken promise starts with "two").
 * <p>
 * The checks: no two processes' claims of leadership overlap in true time; every term has a greater fencing token
 * than every term before it; {@code RESIGNED} is announced only by a process that led until it began to release.
 */
class ElectionSimulationTest {

    private static final int SCHEDULES = Integer.getInteger("peer.sim.schedules", 10_000);
    /** The history shown is that of the first schedule whose first broken promise starts with this. */
    private static final String SHOWN = System.getProperty("peer.sim.show", "");
    private static final Logger QUIET = Logger.getLogger("io.github.quarkuspeer");
    private static Level level;

    @BeforeAll
    static void quiet() {
        // hundreds of thousands of elections and failures: their log lines would drown the build's output
        level = QUIET.getLevel();
        QUIET.setLevel(Level.OFF);
    }

    @AfterAll
    static void loud() {
        QUIET.setLevel(level);
    }

    @Test
    void noTwoClaimsEverOverlapAndTokensOnlyGrow() {
        Long only = Long.getLong("peer.sim.seed");
        long first = only != null ? only : Long.getLong("peer.sim.first", 1);
        int count = only != null ? 1 : SCHEDULES;
        List<Long> failed = new ArrayList<>();
        String firstFailure = null;
        long events = 0;
        // how many schedules broke each kind of promise, numbers left out
        Map<String, Integer> kinds = new TreeMap<>();
        for (long seed = first; seed < first + count; seed++) {
            Schedule schedule = new Schedule(seed);
            List<String> broken = schedule.run();
            events += schedule.events();
            if (!broken.isEmpty()) {
                failed.add(seed);
                broken.stream().map(b -> b.replaceAll("[0-9#.]+", "")).distinct()
                        .forEach(b -> kinds.merge(b.substring(0, Math.min(40, b.length())), 1, Integer::sum));
                if (firstFailure == null && broken.get(0).startsWith(SHOWN)) {
                    firstFailure = String.join("\n", broken.subList(0, Math.min(5, broken.size()))) + "\n"
                            + schedule.log();
                }
            }
        }
        kinds.forEach((k, v) -> System.out.println(v + " x " + k));
        System.out.printf("Election simulation: %d schedules, %d events, %d failed%n", count, events, failed.size());
        assertThat(failed).as("seeds whose schedule broke a promise (first: %s)", firstFailure).isEmpty();
    }
}
