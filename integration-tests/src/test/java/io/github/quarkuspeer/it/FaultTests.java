package io.github.quarkuspeer.it;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * What the fault tests share: the election timing, generous bounds derived from it, and where each cluster keeps
 * its nodes' logs and histories ({@code target/clusters/<test>-<time>}, kept for diagnosis).
 * <p>
 * The timing comes from the system properties {@code peer.it.interval} and {@code peer.it.lease} (for example
 * {@code 2s}, {@code 1500ms}), which the module's POM sets: short by default, longer in the {@code long-faults}
 * profile.
 */
final class FaultTests {

    static final String DEFAULT = PeersView.DEFAULT_INSTANCE;
    static final String REPORTS = "reports";

    static final Duration INTERVAL = duration("peer.it.interval", Duration.ofSeconds(2));
    static final Duration LEASE = duration("peer.it.lease", Duration.ofSeconds(3));

    /** How long another node may take to lead after a fault: far beyond the expected one lease. */
    static final Duration FAILOVER_BOUND = LEASE.multipliedBy(10);

    /** How long a cluster may take to settle on one leader that everybody sees. */
    static final Duration SETTLE_BOUND = LEASE.multipliedBy(10).plusSeconds(10);

    private FaultTests() {
    }

    /** A cluster builder for {@code test}, with the tests' timing and a directory of its own under target. */
    static Cluster.Builder cluster(Database database, Class<?> test) {
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS"));
        Path dir = Paths.get("target", "clusters", test.getSimpleName() + "-" + time).toAbsolutePath();
        return Cluster.builder(database).interval(INTERVAL).lease(LEASE).directory(dir);
    }

    /** Prints a line to the test's output (kept in the surefire report): what happened, what was measured. */
    static void report(Cluster cluster, String text) {
        System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", cluster.elapsedSeconds(), text);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
    }

    /** Parses {@code 2s}, {@code 1500ms}, {@code 1m} or an ISO-8601 duration. */
    static Duration duration(String property, Duration fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        value = value.trim().toLowerCase(Locale.ROOT);
        if (value.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 1000));
        }
        if (value.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        return Duration.parse(value.toUpperCase(Locale.ROOT));
    }
}
