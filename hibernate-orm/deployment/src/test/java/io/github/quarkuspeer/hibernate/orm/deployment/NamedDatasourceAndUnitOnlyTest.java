package io.github.quarkuspeer.hibernate.orm.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.PeerLease;
import io.quarkus.hibernate.orm.PersistenceUnit;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.QuarkusUnitTest;

import org.hibernate.Session;

/**
 * An application whose only datasource and persistence unit are named: the peer works once {@code datasource} and
 * {@code persistence-unit} point at them, and the lease entity belongs to that unit.
 */
class NamedDatasourceAndUnitOnlyTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.datasource.\"peers\".db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.\"peers\".jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test")
            .overrideConfigKey("quarkus.datasource.\"peers\".username", "postgres")
            .overrideConfigKey("quarkus.hibernate-orm.\"peers\".datasource", "peers")
            // Quarkus asks named units to say which packages they map; the lease entity joins by itself
            .overrideConfigKey("quarkus.hibernate-orm.\"peers\".packages", "io.github.quarkuspeer.hibernate.orm.deployment")
            .overrideConfigKey("quarkus.peer.datasource", "peers")
            .overrideConfigKey("quarkus.peer.persistence-unit", "peers")
            .overrideConfigKey("quarkus.peer.table", "peers_named_only")
            .overrideConfigKey("quarkus.peer.node", "node-n");

    @Inject
    Peer peer;

    @Inject
    @PersistenceUnit("peers")
    Session session;

    @Test
    void thePeerLeadsThroughTheNamedDatasourceAndTheEntityBelongsToTheNamedUnit() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        PeerLease lease = QuarkusTransaction.requiringNew().call(() -> session.find(PeerLease.class, Peer.DEFAULT_INSTANCE));
        assertThat(lease.node).isEqualTo("node-n");
        assertThat(lease.fencingToken).isEqualTo(peer.fencingToken().getAsLong());
    }
}
