package io.github.quarkuspeer.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The project's README, as its reader sees it: fenced snippets and tables. */
final class Readme {

    private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w+)\\n(.*?)^```$");

    private Readme() {
    }

    static String text() {
        try {
            return Files.readString(Path.of(System.getProperty("peer.readme", "../README.md")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fenced snippets in a language, in order. */
    static List<String> snippets(String language) {
        List<String> found = new ArrayList<>();
        Matcher matcher = FENCE.matcher(text());
        while (matcher.find()) {
            if (matcher.group(1).equals(language)) {
                found.add(matcher.group(2));
            }
        }
        return found;
    }

    /** The first snippet in a language: that of the example application. */
    static String snippet(String language) {
        List<String> found = snippets(language);
        if (found.isEmpty()) {
            throw new IllegalStateException("The README has no " + language + " snippet");
        }
        return found.get(0);
    }

    /** The rows of the table that follows a heading, each row its cells, without the header and its rule. */
    static List<List<String>> table(String heading) {
        String text = text();
        int start = text.indexOf("\n## " + heading + "\n");
        if (start < 0) {
            throw new IllegalStateException("The README has no section " + heading);
        }
        int end = text.indexOf("\n## ", start + 1);
        List<List<String>> rows = new ArrayList<>();
        for (String line : text.substring(start, end < 0 ? text.length() : end).split("\n")) {
            if (line.startsWith("|")) {
                List<String> cells = new ArrayList<>();
                for (String cell : line.substring(1, line.length() - 1).split("\\|")) {
                    cells.add(cell.strip());
                }
                rows.add(cells);
            }
        }
        return rows.subList(2, rows.size());
    }
}
