package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * A second process for a node that runs already cannot start, whichever way it is misconfigured: on the same data
 * directory it finds it locked; on another directory it cannot bind the node's address (no port range); on another
 * address it is refused by the group, which has a member of that name (or, if its join found nobody, it is a group of
 * one that never leads). Each time the message names the node, and the group goes on as before.
 */
class SameNameStartedTwiceTest {

    private static final Duration LEASE = Duration.ofSeconds(2);

    @Test
    void aSecondProcessForTheSameNodeCannotStart() {
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            group.startAll("a", "b", "c");
            LocalGroup.Member leader = await().atMost(LEASE.multipliedBy(10))
                    .until(group::settledLeader, Optional::isPresent).orElseThrow();

            assertThatThrownBy(() -> group.start("a")).hasMessageContaining("node 'a'")
                    .hasMessageContaining("is locked by another process");

            LocalGroup.Member otherDirectory = group.create("a", LocalGroup.Options.defaults(),
                    group.spareDirectory("a"));
            assertThatThrownBy(() -> group.start(otherDirectory)).hasMessageContaining("node 'a'")
                    .hasMessageContaining("cannot bind 127.0.0.1:" + group.port("a"));

            assertThat(group.settledLeader()).contains(leader);

            // its own members list gives it another address: the group refuses its join. Should its join find
            // nobody in time (a loaded machine), it forms a group of its own, one member of three, which never leads;
            // once the two groups merge, both processes named a leave for good
            LocalGroup.Member otherAddress = group.create("a",
                    LocalGroup.Options.defaults().port(LocalGroup.freePort()).joiningWithEmptyDataDir(),
                    group.spareDirectory("a2"));
            try {
                group.start(otherAddress);
                await("the second a never leads").during(LEASE.multipliedBy(3)).atMost(LEASE.multipliedBy(13))
                        .until(() -> !otherAddress.leads() && group.leaders().size() <= 1);
                otherAddress.stop();
            } catch (IllegalStateException refused) {
                assertThat(refused).hasMessageContaining("node 'a'").hasMessageContaining("already has a member named a");
            }
            await("a leader").atMost(LEASE.multipliedBy(10)).until(() -> group.leaders().size() == 1);
            group.assertSafe();
        }
    }
}
