package io.github.quarkuspeer.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link IsLeaderBenchmark} with the allocation profiler and puts each figure beside both reads it is compared
 * with, all from the same run.
 */
final class IsLeaderRun {

    private IsLeaderRun() {
    }

    static void run(Report report) throws RunnerException {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(IsLeaderBenchmark.class.getName())
                .addProfiler(GCProfiler.class)
                .build()).run();
        Map<String, RunResult> byName = new HashMap<>();
        results.forEach(r -> byName.put(shortName(r), r));
        double volatileRead = byName.get("volatileRead").getPrimaryResult().getScore();
        double withNanoTime = byName.get("volatileReadAndNanoTime").getPrimaryResult().getScore();

        report.section("isLeader() (JMH, -prof gc)");
        List<List<String>> rows = new ArrayList<>();
        for (String name : List.of("volatileRead", "volatileReadAndNanoTime", "isLeaderOnTheLeader",
                "isLeaderOnAFollower")) {
            RunResult result = byName.get(name);
            Result<?> time = result.getPrimaryResult();
            Result<?> allocated = result.getSecondaryResults().get("gc.alloc.rate.norm");
            rows.add(List.of(name, String.format(Locale.ROOT, "%.2f ± %.2f", time.getScore(),
                    time.getScoreError()), allocated == null ? "n/a"
                            : String.format(Locale.ROOT, "%.3f", allocated.getScore()),
                    Report.ratio(time.getScore() / volatileRead), Report.ratio(time.getScore() / withNanoTime)));
        }
        report.table(List.of("benchmark", "ns/op (99.9% CI)", "B/op", "x volatile read",
                "x volatile read + nanoTime"), rows);
    }

    private static String shortName(RunResult result) {
        String label = result.getParams().getBenchmark();
        return label.substring(label.lastIndexOf('.') + 1);
    }
}
