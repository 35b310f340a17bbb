package io.github.quarkuspeer.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The figures of a run in Markdown, printed as they come and written to a file, so that a run cut short still leaves
 * what it measured. The load average goes beside each section: the machine may be shared.
 */
final class Report implements AutoCloseable {

    private final PrintWriter file;

    Report(Path path) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            file = new PrintWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void line(String text) {
        System.out.println(text);
        System.out.flush();
        file.println(text);
        file.flush();
    }

    void line(String format, Object... args) {
        line(String.format(Locale.ROOT, format, args));
    }

    /** A heading, written once the section's figures are in: the time and load are those at its end. */
    void section(String title) {
        line("");
        line("## " + title + " (finished " + now() + ", load average then " + loadAverage() + ")");
        line("");
    }

    void table(List<String> header, List<List<String>> rows) {
        line("| " + String.join(" | ", header) + " |");
        line("|" + "---|".repeat(header.size()));
        rows.forEach(row -> line("| " + String.join(" | ", row) + " |"));
    }

    /** The machine, for the heading of a run. */
    void machine(String postgresVersion, String command) {
        line("# Quarkus Peer benchmark run, " + now());
        line("");
        line("- command: `%s`", command);
        line("- machine: %d cores (%s), %s RAM, %s", Runtime.getRuntime().availableProcessors(), cpuModel(),
                memory(), System.getProperty("os.name") + " " + System.getProperty("os.version"));
        line("- Java: %s %s", System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"));
        line("- PostgreSQL: %s at %s", postgresVersion, SharedDatabase.URL);
        line("- load average at start: %s", loadAverage());
    }

    static String now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String loadAverage() {
        String[] fields = firstLine("/proc/loadavg", "").split(" ");
        return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "unknown";
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024 + " GiB").findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String firstLine(String path, String otherwise) {
        try {
            return Files.readAllLines(Path.of(path)).get(0);
        } catch (IOException | IndexOutOfBoundsException e) {
            return otherwise;
        }
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    @Override
    public void close() {
        file.close();
    }
}
