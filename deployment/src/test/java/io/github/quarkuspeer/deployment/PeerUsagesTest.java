package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.jboss.jandex.Index;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.LeaderOnly;
import io.github.quarkuspeer.Peer;
import io.quarkus.scheduler.Scheduled;

/** Finding the instances that code refers to, from the class index alone. */
class PeerUsagesTest {

    static class Injections {
        @Inject
        Peer plain;

        @Inject
        @Named("billing")
        Peer billing;

        @Inject
        @Named
        Peer reports;

        @Inject
        Injections(@Named("ledger") Peer ledger) {
        }
    }

    static class Jobs {
        @LeaderOnly("payroll")
        void pay() {
        }

        @Scheduled(every = "1m", skipExecutionIf = LeaderOnly.Skip.class)
        void report() {
        }
    }

    static class Unrelated {
        @LeaderOnly
        void run() {
        }
    }

    @Test
    void findsEveryInstanceThatCodeRefersTo() throws IOException {
        PeerUsages usages = PeerUsages.scan(Index.of(Injections.class, Jobs.class));
        assertThat(usages.places.keySet()).containsExactlyInAnyOrder(Peer.DEFAULT_INSTANCE, "billing", "reports",
                "ledger", "payroll");
        assertThat(usages.places.get(Peer.DEFAULT_INSTANCE)).anyMatch(p -> p.contains("plain"))
                .anyMatch(p -> p.contains("LeaderOnly.Skip"));
        assertThat(usages.places.get("payroll")).singleElement().asString().contains("@LeaderOnly");
    }

    @Test
    void aPlainLeaderOnlyUsesTheDefaultInstance() throws IOException {
        assertThat(PeerUsages.scan(Index.of(Unrelated.class)).places).containsOnlyKeys(Peer.DEFAULT_INSTANCE);
    }
}
