package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * A member whose data directory was lost does not silently rejoin a group that has history (it could vote twice in a
 * term): its start fails, naming the node and what to do. The first start of the group, every directory empty, needed
 * no flag; with the flag the member joins.
 */
class EmptyDataDirectoryTest {

    private static final Duration LEASE = Duration.ofSeconds(2);

    @Test
    void aMemberWithAnEmptyDirectoryIsRefusedByAGroupWithHistory() throws IOException {
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            group.startAll("a", "b", "c"); // every directory empty: no flag needed
            await().atMost(LEASE.multipliedBy(10)).until(group::settledLeader, Optional::isPresent);

            LocalGroup.Member c = group.running.stream().filter(m -> m.name.equals("c")).findFirst().orElseThrow();
            c.stop();
            delete(group.dataDir("c"));

            assertThatThrownBy(() -> group.start("c")).hasMessageContaining("node 'c'")
                    .hasMessageContaining("is empty, but member")
                    .hasMessageContaining("join-with-empty-data-dir=true");

            group.start(group.create("c", LocalGroup.Options.defaults().joiningWithEmptyDataDir()));
            await().atMost(LEASE.multipliedBy(10))
                    .until(() -> group.settledLeader().isPresent() && group.running.size() == 3);
            group.assertSafe();
        }
    }

    @Test
    void aMemberThatJoinedButLostItsRaftLogIsRefusedToo() throws IOException {
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            stopCOnceTheGroupLeads(group);
            // only the log is lost: the marker that c joined survives, so the empty-directory check cannot see it
            try (Stream<Path> paths = Files.walk(group.dataDir("c"))) {
                for (Path log : paths.filter(p -> p.getFileName().toString().equals("raft") && Files.isDirectory(p))
                        .toList()) {
                    delete(log);
                }
            }

            assertThatThrownBy(() -> group.start("c")).hasMessageContaining("node 'c'")
                    .hasMessageContaining("its Raft log is missing")
                    .hasMessageContaining("join-with-empty-data-dir=true");
            group.assertSafe();
        }
    }

    @Test
    void aMemberThatJoinedButLostItsTermAndVoteIsRefusedWhateverItsJoinSetting() throws IOException {
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            stopCOnceTheGroupLeads(group);
            // a partial loss: the entries survive, the term and vote do not; the flag is for empty directories
            try (Stream<Path> paths = Files.walk(group.dataDir("c"))) {
                List<Path> metadata = paths.filter(p -> p.getFileName().toString().equals("metadata.raft")).toList();
                assertThat(metadata).as("c's term and vote on disk").isNotEmpty();
                for (Path file : metadata) {
                    Files.delete(file);
                }
            }

            assertThatThrownBy(() -> group.start(group.create("c", LocalGroup.Options.defaults()
                    .joiningWithEmptyDataDir()))).hasMessageContaining("node 'c'")
                    .hasMessageContaining("its Raft log is missing");
            group.assertSafe();
        }
    }

    /** Starts a, b and c, waits for a leader, then stops c gracefully: its directory says it joined. */
    private static void stopCOnceTheGroupLeads(LocalGroup group) {
        group.startAll("a", "b", "c");
        await().atMost(LEASE.multipliedBy(10)).until(group::settledLeader, Optional::isPresent);
        group.running.stream().filter(m -> m.name.equals("c")).findFirst().orElseThrow().stop();
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
