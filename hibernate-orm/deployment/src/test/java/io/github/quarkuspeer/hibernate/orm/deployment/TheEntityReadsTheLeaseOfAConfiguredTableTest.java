package io.github.quarkuspeer.hibernate.orm.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.PeerLease;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.QuarkusUnitTest;

/**
 * In an application with Hibernate ORM, {@link PeerLease} reads the lease of each instance from the configured
 * table (the build rewrites the entity's query), and stays read-only.
 */
class TheEntityReadsTheLeaseOfAConfiguredTableTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.postgres("peers_orm_reads")
            .overrideConfigKey("quarkus.peer.node", "node-o")
            .overrideConfigKey("quarkus.peer.interval", "2s")
            .overrideConfigKey("quarkus.peer.\"reports\".kind", "database");

    @Inject
    Peer peer;

    @Test
    void theEntityReadsEachInstancesLease() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        Optional<PeerLease> lease = QuarkusTransaction.requiringNew()
                .call(() -> PeerLease.<PeerLease> findByIdOptional(Peer.DEFAULT_INSTANCE));
        assertThat(lease).hasValueSatisfying(row -> {
            assertThat(row.node).isEqualTo("node-o");
            assertThat(row.fencingToken).isEqualTo(peer.fencingToken().getAsLong());
            assertThat(row.expiresAt).isAfter(row.startedAt);
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew()
                .call(() -> PeerLease.<PeerLease> listAll()).size() == 2);
        List<String> names = QuarkusTransaction.requiringNew()
                .call(() -> PeerLease.<PeerLease> listAll().stream().map(row -> row.name).sorted().toList());
        assertThat(names).containsExactly(Peer.DEFAULT_INSTANCE, "reports");
    }
}
