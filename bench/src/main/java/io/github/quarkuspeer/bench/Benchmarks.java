package io.github.quarkuspeer.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.vertx.core.Vertx;

/**
 * Runs the benchmarks named on the command line ({@code all}, or any of
 * {@code jmh handover crash statements scale pooler global}, separated by spaces or commas) and writes their figures
 * to {@code target/benchmark-report.md}. Each figure is
 * measured beside its baseline in the same run; BENCHMARKS.md at the root of the repository says what they mean.
 */
public final class Benchmarks {

    private static final List<String> ALL = List.of("jmh", "handover", "crash", "statements", "scale", "pooler",
            "global");

    /**
     * The extension logs every won and lost lease, and warns about every node that the benchmarks crash on purpose:
     * hundreds of lines that would bury the figures. Held here because the logging system keeps its loggers only
     * weakly, and would forget the level.
     */
    private static final Logger PEER_LOG = Logger.getLogger("io.github.quarkuspeer");

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Set<String> chosen = new LinkedHashSet<>();
        for (String arg : args) {
            chosen.addAll(Arrays.asList(arg.split(",")));
        }
        chosen.removeIf(String::isBlank);
        if (chosen.isEmpty() || chosen.contains("all")) {
            chosen = new LinkedHashSet<>(ALL);
        }
        if (!ALL.containsAll(chosen)) {
            throw new IllegalArgumentException("unknown benchmark in " + chosen + "; known: all, " + ALL);
        }
        PEER_LOG.setLevel(Level.SEVERE);

        try (Report report = new Report(Path.of("target", "benchmark-report.md"));
                SharedDatabase database = new SharedDatabase(10)) {
            report.machine(database.version(), "./mvnw -o -pl bench -Pbench verify -Dbench.run="
                    + String.join(",", args));
            if (chosen.contains("jmh")) {
                IsLeaderRun.run(report);
            }
            if (chosen.contains("handover") || chosen.contains("crash") || chosen.contains("statements")
                    || chosen.contains("pooler") || chosen.contains("global")) {
                Vertx vertx = Vertx.vertx();
                try {
                    if (chosen.contains("handover")) {
                        HandoverRun.run(database, vertx, report);
                    }
                    if (chosen.contains("crash")) {
                        CrashRun.run(database, vertx, report);
                    }
                    if (chosen.contains("statements")) {
                        StatementsRun.run(database, vertx, report);
                    }
                    if (chosen.contains("pooler")) {
                        PoolerRun.run(database, vertx, report);
                    }
                    if (chosen.contains("global")) {
                        GlobalRun.run(vertx, report);
                    }
                } finally {
                    vertx.close().toCompletionStage().toCompletableFuture().join();
                }
            }
            if (chosen.contains("scale")) {
                ScaleRun.run(report);
            }
            report.line("");
            report.line("Load average at the end: %s", Report.loadAverage());
        }
        System.exit(0);
    }
}
