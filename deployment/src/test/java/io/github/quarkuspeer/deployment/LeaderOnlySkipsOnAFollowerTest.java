package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.LeaderOnly;
import io.github.quarkuspeer.Peer;
import io.quarkus.test.QuarkusUnitTest;

/** On a node that does not lead the default instance, the skip predicate skips scheduled work. */
class LeaderOnlySkipsOnAFollowerTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.isolated.leader", "false");

    @Inject
    LeaderOnly.Skip skip;

    @Inject
    Peer peer;

    @Test
    void theSkipPredicateSkipsWhileThisNodeDoesNotLead() {
        assertThat(peer.isLeader()).isFalse();
        assertThat(skip.test(null)).isTrue();
    }
}
