package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.Peers;
import io.github.quarkuspeer.runtime.database.PeerLease;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.QuarkusUnitTest;

class DefaultPeerLeadsTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.postgres("peers_default_leads")
            .overrideConfigKey("quarkus.peer.node", "node-a")
            .overrideConfigKey("quarkus.peer.interval", "2s");

    @Inject
    Peer peer;

    @Inject
    Peers peers;

    @Test
    void loneNodeLeadsAndNamesItself() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        assertThat(peer.instance()).isEqualTo(Peer.DEFAULT_INSTANCE);
        assertThat(peer.node()).isEqualTo("node-a");
        assertThat(peer.getLeader()).contains("node-a");
        assertThat(peer.fencingToken()).isPresent();
        assertThat(peers.get(Peer.DEFAULT_INSTANCE)).isSameAs(peer);
    }

    @Test
    void leaseIsReadableThroughThePanacheEntity() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        Optional<PeerLease> lease = QuarkusTransaction.requiringNew()
                .call(() -> PeerLease.<PeerLease> findByIdOptional(Peer.DEFAULT_INSTANCE));
        assertThat(lease).hasValueSatisfying(row -> {
            assertThat(row.node).isEqualTo("node-a");
            assertThat(row.fencingToken).isEqualTo(peer.fencingToken().getAsLong());
            assertThat(row.expiresAt).isAfter(row.startedAt);
        });
    }
}
