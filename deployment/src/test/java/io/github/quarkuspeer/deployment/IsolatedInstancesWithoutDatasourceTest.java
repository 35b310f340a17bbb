package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.Peers;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An application with no datasource at all, whose instances are all isolated: it builds and starts, the default
 * instance is injected plain and a named one with {@code @Named}.
 */
class IsolatedInstancesWithoutDatasourceTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Observer.class))
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.node", "solo")
            .overrideConfigKey("quarkus.peer.billing.kind", "isolated")
            .overrideConfigKey("quarkus.peer.reports.kind", "isolated")
            .overrideConfigKey("quarkus.peer.reports.isolated.leader", "false");

    @ApplicationScoped
    static class Observer {
        private final List<LeadershipChanged> all = new CopyOnWriteArrayList<>();
        private final List<LeadershipChanged> billing = new CopyOnWriteArrayList<>();

        List<LeadershipChanged> all() {
            return all;
        }

        List<LeadershipChanged> billing() {
            return billing;
        }

        void onAny(@Observes LeadershipChanged change) {
            all.add(change);
        }

        void onBilling(@Observes @Named("billing") LeadershipChanged change) {
            billing.add(change);
        }
    }

    @Inject
    Peer peer;

    @Inject
    @Named("billing")
    Peer billing;

    @Inject
    @Named("reports")
    Peer reports;

    @Inject
    Peers peers;

    @Inject
    Observer observer;

    @Test
    void theDefaultInstanceIsInjectedPlainAndANamedOneWithNamed() {
        assertThat(peer.instance()).isEqualTo(Peer.DEFAULT_INSTANCE);
        assertThat(peer.isLeader()).isTrue();
        assertThat(peer.getLeader()).contains("solo");
        assertThat(peer.fencingToken()).isPresent();
        assertThat(billing.instance()).isEqualTo("billing");
        assertThat(billing.isLeader()).isTrue();
        assertThat(reports.instance()).isEqualTo("reports");
        assertThat(reports.isLeader()).isFalse();
        assertThat(reports.getLeader()).isEmpty();
        assertThat(reports.fencingToken()).isEmpty();
    }

    @Test
    void peersListsEveryInstanceAndNamesTheMissingOne() {
        assertThat(peers.all()).extracting(Peer::instance).containsExactly(Peer.DEFAULT_INSTANCE, "billing",
                "reports");
        assertThat(peers.get("reports").isLeader()).isFalse();
        assertThatThrownBy(() -> peers.get("nope")).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("'nope'").hasMessageContaining("billing");
    }

    @Test
    void anUnqualifiedObserverSeesEveryInstanceAndANamedOneOnlyItsOwn() {
        // two instances lead and announce it; the third never leads, so it announces nothing
        await().atMost(Duration.ofSeconds(10)).until(() -> observer.all().size() == 2 && observer.billing().size() == 1);
        assertThat(observer.all()).extracting(LeadershipChanged::instance)
                .containsExactlyInAnyOrder(Peer.DEFAULT_INSTANCE, "billing");
        assertThat(observer.all()).allSatisfy(change -> {
            assertThat(change.leader()).isTrue();
            assertThat(change.reason()).isEqualTo(LeadershipChanged.Reason.ELECTED);
        });
        // the observer qualified with @Named("billing") receives billing's own event, and nothing of the others
        assertThat(observer.billing()).singleElement().satisfies(change -> {
            assertThat(change.instance()).isEqualTo("billing");
            assertThat(change.leader()).isTrue();
        });
    }
}
