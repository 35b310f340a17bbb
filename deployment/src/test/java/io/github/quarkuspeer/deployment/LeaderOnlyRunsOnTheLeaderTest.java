package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.LeaderOnly;
import io.github.quarkuspeer.Peer;
import io.quarkus.test.QuarkusUnitTest;

/** {@code @LeaderOnly} runs a method on the leader of its instance and skips it elsewhere. */
class LeaderOnlyRunsOnTheLeaderTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Jobs.class))
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"follower\".kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"follower\".isolated.leader", "false");

    @ApplicationScoped
    static class Jobs {
        private final List<String> ran = new CopyOnWriteArrayList<>();

        List<String> ran() {
            return ran;
        }

        @LeaderOnly
        void onDefault() {
            ran.add("default");
        }

        @LeaderOnly("follower")
        void onFollower() {
            ran.add("follower");
        }

        @LeaderOnly("follower")
        Optional<String> report() {
            ran.add("report");
            return Optional.of("done");
        }

        @LeaderOnly("follower")
        String text() {
            ran.add("text");
            return "done";
        }

        @LeaderOnly("follower")
        int count() {
            ran.add("count");
            return 7;
        }
    }

    @Inject
    Jobs jobs;

    @Inject
    LeaderOnly.Skip skip;

    @Inject
    Peer peer;

    @Test
    void theLeaderRunsAndAFollowerSkipsWithAnEmptyResult() {
        jobs.onDefault();
        jobs.onFollower();
        assertThat(jobs.report()).isEmpty();
        assertThat(jobs.text()).isNull();
        assertThat(jobs.count()).isZero();
        assertThat(jobs.ran()).containsExactly("default");
    }

    @Test
    void theSkipPredicateRunsScheduledWorkOnTheDefaultInstancesLeader() {
        // the default instance leads here; LeaderOnlySkipsOnAFollowerTest covers the follower
        assertThat(peer.isLeader()).isTrue();
        assertThat(skip.test(null)).isFalse();
    }
}
