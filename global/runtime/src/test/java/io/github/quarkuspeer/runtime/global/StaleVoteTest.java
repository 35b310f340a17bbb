package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;

/**
 * A vote of an earlier round is not counted in a later one. Two of three members: the coordinator {@code a} gets
 * {@code b}'s vote for term 1 only after that round timed out, and {@code b} never hears the request for term 2. With
 * the library alone, {@code a} counts the late term-1 vote in round 2 and leads term 2 although {@code b} never voted
 * in it; with the filter, round 2 fails and {@code a} leads term 3 on {@code b}'s real vote.
 */
class StaleVoteTest {

    private static final Duration LEASE = Duration.ofSeconds(2);

    @Test
    void aLateVoteOfAnEarlierRoundElectsNobody() {
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            // c never starts, so a and b skip the wait for every member to confirm a new group
            LocalGroup.Member a = group.start(group.create("a", LocalGroup.Options.defaults().joiningWithEmptyDataDir()
                    .protocols(below(VoteChaos.delayingFirstVoteOf("b", 900)))));
            group.start(group.create("b", LocalGroup.Options.defaults().joiningWithEmptyDataDir()
                    .protocols(below(VoteChaos.droppingRequestFor(2)))));

            await().atMost(LEASE.multipliedBy(10)).until(() -> "a".equals(a.member().raftLeader()));
            assertThat(a.member().raft().currentTerm()).as("the term a leads").isEqualTo(3);
            group.assertSafe();
        }
    }

    /** Puts a protocol just below the stale-vote filter, so that the filter sees what it lets through. */
    private static java.util.function.UnaryOperator<List<Protocol>> below(Protocol chaos) {
        return protocols -> {
            List<Protocol> all = new ArrayList<>(protocols);
            int filter = 0;
            while (!(all.get(filter) instanceof StaleVoteFilter)) {
                filter++;
            }
            all.add(filter, chaos);
            return all;
        };
    }
}
