package io.github.quarkuspeer.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The README's table of keys says what the configuration reference says, which Quarkus' own tooling generates from
 * the config interfaces at every build: the same keys, phases and defaults. The key names are written once, in the
 * code; this test catches a README left behind.
 */
class ReadmeTableMatchesTheConfigReferenceTest {

    /** One key of the default instance as the reference lists it: a row, its type, its default (none for some). */
    private static final Pattern ROW = Pattern.compile(
            "^a\\|(icon:lock\\[title=Fixed at build time\\])? \\[\\[[^\\]]+\\]\\] \\[\\.property-path\\]##link:[^\\[]+"
                    + "\\[`\\+\\+\\+quarkus\\.peer\\.([a-z.-]+)\\+\\+\\+`\\]##$(?s:.*?)^a?\\|([^\\n]*)\\n\\|(?:`\\+\\+\\+(.*?)\\+\\+\\+`)?$",
            Pattern.MULTILINE);

    record Key(String phase, String defaultValue) {
    }

    @Test
    void theReadmeListsEveryKeyWithItsPhaseAndDefault() throws IOException {
        Map<String, Key> reference = reference();
        Map<String, Key> readme = new TreeMap<>();
        for (List<String> row : Readme.table("Configuration reference")) {
            readme.put(row.get(0).replace("`", ""), new Key(row.get(1), row.get(2).replace("`", "")));
        }
        assertThat(reference).as("keys of the generated reference").isNotEmpty();
        assertThat(readme).isEqualTo(reference);
    }

    /** The keys of both extensions' references: quarkus-peer, and quarkus-peer-global beside it. */
    static Map<String, Key> reference() throws IOException {
        Path core = Path.of(System.getProperty("peer.config-reference",
                "modules/ROOT/pages/includes/quarkus-peer.adoc"));
        Map<String, Key> keys = new TreeMap<>();
        for (Path generated : List.of(core, core.resolveSibling("quarkus-peer-global.adoc"))) {
            Matcher matcher = ROW.matcher(Files.readString(generated));
            while (matcher.find()) {
                keys.put(matcher.group(2), new Key(matcher.group(1) != null ? "build" : "run",
                        matcher.group(4) == null ? "" : matcher.group(4)));
            }
        }
        return keys;
    }
}
