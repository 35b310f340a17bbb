package io.github.quarkuspeer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The claim histories of a cluster's nodes, and the checker that proves them safe.
 * <p>
 * Each test node started with {@code -Dtest-node.history.file} appends a line before each claim of leadership takes
 * effect: {@code claim <pid> <node> <instance> <token> <fromNanos> <untilNanos>} when it may lead until
 * {@code untilNanos} (repeated with a later end at each renewal), and {@code end <pid> <node> <instance> <token>
 * <atNanos>} when it gave a term up before that end. Names are URL-encoded. Because a line is on disk before the
 * node acts on it, the history of a node killed at any moment still covers every claim it acted on; a last line cut
 * short by the kill was never acted on and is left out.
 * <p>
 * A term ({@link Claim}) runs from its first {@code from} to its last {@code until}, or to its {@code end} if
 * earlier. The checker then proves, for each instance, that no two claims of different processes overlap, and that
 * each new term carries a greater fencing token than the one before; it also reports the gaps, the time during
 * which nobody led.
 *
 * <pre>{@code
 * History history = History.read(cluster.directory());
 * history.assertSafe();                      // throws AssertionError naming every overlap
 * history.gaps("<default>").forEach(System.out::println);
 * }</pre>
 */
public final class History {

    /** The ending of the files that nodes write their history to. */
    public static final String FILE_SUFFIX = ".history";

    private final List<Claim> claims;
    private final int incompleteLines;

    private History(List<Claim> claims, int incompleteLines) {
        this.claims = claims.stream().sorted(Comparator.comparingLong(Claim::from)).toList();
        this.incompleteLines = incompleteLines;
    }

    /** Reads every {@value #FILE_SUFFIX} file in {@code directory} and its subdirectories. */
    public static History read(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return read(files.filter(f -> f.getFileName().toString().endsWith(FILE_SUFFIX)).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the histories in " + directory, e);
        }
    }

    /** Reads the given history files, each written by one process. */
    public static History read(Collection<Path> files) {
        Parser parser = new Parser();
        for (Path file : files) {
            try {
                parser.file(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the history " + file, e);
            }
        }
        return parser.history();
    }

    /**
     * Parses history text, as a node writes it; lines of different processes may be mixed, but the lines of one
     * process must keep their order.
     */
    public static History parse(String text) {
        Parser parser = new Parser();
        parser.file("text", text);
        return parser.history();
    }

    /** Every claim, ordered by its start. */
    public List<Claim> claims() {
        return claims;
    }

    /** The claims of one instance, ordered by their start. */
    public List<Claim> claims(String instance) {
        return claims.stream().filter(c -> c.instance().equals(instance)).toList();
    }

    /** Every instance that someone claimed. */
    public List<String> instances() {
        return new ArrayList<>(new TreeSet<>(claims.stream().map(Claim::instance).toList()));
    }

    /** How many last lines were cut short (by a kill during the write); those claims never took effect. */
    public int incompleteLines() {
        return incompleteLines;
    }

    /** Two claims of different processes on one instance that overlap. */
    public record Overlap(Claim first, Claim second) {

        public Duration duration() {
            long from = Math.max(first.from(), second.from());
            long until = Math.min(first.until(), second.until());
            return Duration.ofNanos(until - from);
        }

        @Override
        public String toString() {
            return "overlap of " + millis(duration().toNanos()) + ": " + first + " / " + second;
        }
    }

    /** A term whose fencing token is not greater than that of the term before it. */
    public record TokenRegression(Claim before, Claim after) {

        @Override
        public String toString() {
            return "token did not increase: " + before + " then " + after;
        }
    }

    /** A time during which nobody claimed an instance, between two claims. */
    public record Gap(String instance, Claim before, Claim after, long from, long until) {

        public Duration duration() {
            return Duration.ofNanos(until - from);
        }

        @Override
        public String toString() {
            return instance + " had no leader for " + millis(until - from) + " (after " + before.node() + " token "
                    + before.token() + ", before " + after.node() + " token " + after.token() + ")";
        }
    }

    /** Every pair of overlapping claims of different processes, instance by instance. */
    public List<Overlap> overlaps() {
        List<Overlap> overlaps = new ArrayList<>();
        for (String instance : instances()) {
            List<Claim> open = new ArrayList<>();
            for (Claim claim : claims(instance)) {
                // ordered by start: only claims still running at this start can overlap it
                open.removeIf(o -> o.until() <= claim.from());
                for (Claim o : open) {
                    if (o.pid() != claim.pid() && o.overlaps(claim)) {
                        overlaps.add(new Overlap(o, claim));
                    }
                }
                open.add(claim);
            }
        }
        return overlaps;
    }

    /** Every term, in order of start, whose fencing token is not greater than the one of the term before. */
    public List<TokenRegression> tokenRegressions() {
        List<TokenRegression> regressions = new ArrayList<>();
        for (String instance : instances()) {
            Claim previous = null;
            for (Claim claim : claims(instance)) {
                if (previous != null && claim.token() <= previous.token()) {
                    regressions.add(new TokenRegression(previous, claim));
                }
                previous = claim;
            }
        }
        return regressions;
    }

    /** The times between the first and the last claim of {@code instance} when nobody claimed it, in order. */
    public List<Gap> gaps(String instance) {
        List<Gap> gaps = new ArrayList<>();
        Claim latest = null; // the claim reaching furthest so far
        for (Claim claim : claims(instance)) {
            if (latest != null && claim.from() > latest.until()) {
                gaps.add(new Gap(instance, latest, claim, latest.until(), claim.from()));
            }
            if (latest == null || claim.until() > latest.until()) {
                latest = claim;
            }
        }
        return gaps;
    }

    /** The longest time without a leader of {@code instance} between its first and last claim. */
    public Duration longestGap(String instance) {
        return gaps(instance).stream().map(Gap::duration).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
    }

    /** The first claim of {@code instance} that began at or after {@code nanos}, for measuring a handover. */
    public Optional<Claim> firstClaimFrom(String instance, long nanos) {
        return claims(instance).stream().filter(c -> c.from() >= nanos).findFirst();
    }

    /** The claim of {@code instance} in force at {@code nanos}, if any (the first one, should several be). */
    public Optional<Claim> claimAt(String instance, long nanos) {
        return claims(instance).stream().filter(c -> c.covers(nanos)).findFirst();
    }

    /**
     * Proves the histories safe: no overlap and no fencing token that failed to increase.
     *
     * @throws AssertionError naming every violation, followed by {@link #summary()}
     */
    public void assertSafe() {
        List<Object> violations = new ArrayList<>(overlaps());
        violations.addAll(tokenRegressions());
        if (!violations.isEmpty()) {
            StringBuilder message = new StringBuilder(violations.size() + " safety violation(s) in the claim history:");
            violations.forEach(v -> message.append("\n  ").append(v));
            throw new AssertionError(message.append("\n").append(summary()).toString());
        }
    }

    /** A few lines per instance: its claims, gaps and the longest gap, for logs and reports. */
    public String summary() {
        StringBuilder out = new StringBuilder();
        for (String instance : instances()) {
            List<Claim> mine = claims(instance);
            List<Gap> gaps = gaps(instance);
            out.append(instance).append(": ").append(mine.size()).append(" claim(s) by ")
                    .append(mine.stream().map(Claim::pid).distinct().count()).append(" process(es), ")
                    .append(gaps.size()).append(" gap(s), longest ").append(millis(longestGap(instance).toNanos()))
                    .append('\n');
            for (Claim claim : mine) {
                out.append("  ").append(claim).append('\n');
            }
            for (Gap gap : gaps) {
                out.append("  ").append(gap).append('\n');
            }
        }
        if (incompleteLines > 0) {
            out.append(incompleteLines).append(" last line(s) cut short by a kill, never acted on\n");
        }
        return out.toString();
    }

    static String millis(long nanos) {
        return nanos / 1_000_000 + " ms";
    }

    /** Builds claims from lines, one process's term at a time. */
    private static final class Parser {

        private record Term(long pid, String instance, long token) {
        }

        /** Terms still open to renewals, and every term seen, both by key. */
        private final Map<Term, long[]> open = new LinkedHashMap<>();
        private final List<Map.Entry<Term, long[]>> all = new ArrayList<>();
        private final Map<Term, String> nodes = new LinkedHashMap<>();
        private int incomplete;

        void file(String source, String text) {
            String[] lines = text.split("\n", -1);
            // the text after the last newline is a line whose write a kill cut short (or nothing)
            for (int i = 0; i < lines.length - 1; i++) {
                if (!lines[i].isBlank()) {
                    line(source, i + 1, lines[i].trim());
                }
            }
            if (!lines[lines.length - 1].isBlank()) {
                incomplete++;
            }
        }

        private void line(String source, int number, String line) {
            String[] f = line.split(" ");
            try {
                switch (f[0]) {
                    case "claim" -> {
                        check(f.length == 7, line);
                        Term term = new Term(Long.parseLong(f[1]), decode(f[3]), Long.parseLong(f[4]));
                        nodes.put(term, decode(f[2]));
                        long from = Long.parseLong(f[5]);
                        long until = Long.parseLong(f[6]);
                        long[] span = open.get(term);
                        if (span == null) {
                            span = new long[] {from, until};
                            open.put(term, span);
                            all.add(Map.entry(term, span));
                        } else {
                            span[0] = Math.min(span[0], from);
                            span[1] = Math.max(span[1], until);
                        }
                    }
                    case "end" -> {
                        check(f.length == 6, line);
                        Term term = new Term(Long.parseLong(f[1]), decode(f[3]), Long.parseLong(f[4]));
                        long at = Long.parseLong(f[5]);
                        long[] span = open.remove(term);
                        if (span != null && at < span[1]) {
                            span[1] = Math.max(at, span[0]);
                        }
                    }
                    default -> check(false, line);
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Bad history line " + source + ":" + number + ": " + line, e);
            }
        }

        private static void check(boolean ok, String line) {
            if (!ok) {
                throw new IllegalArgumentException("not a claim or end line: " + line);
            }
        }

        private static String decode(String text) {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }

        History history() {
            List<Claim> claims = new ArrayList<>();
            for (Map.Entry<Term, long[]> e : all) {
                Term t = e.getKey();
                claims.add(new Claim(t.pid(), nodes.get(t), t.instance(), t.token(), e.getValue()[0], e.getValue()[1]));
            }
            return new History(claims, incomplete);
        }
    }
}
