package io.github.quarkuspeer.hibernate.orm.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.PeerLease;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.QuarkusUnitTest;

/**
 * {@code schema-management.strategy=validate} on a database where the lease table does not exist yet: Hibernate does
 * not validate the lease entity, so the application starts, the peer creates its table and leads, and the entity
 * reads the lease.
 */
class ValidateStrategyStartsOnAFreshDatabaseTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            // private to this application's class loader: fresh at every start
            .overrideConfigKey("quarkus.datasource.db-kind", "h2")
            .overrideConfigKey("quarkus.datasource.jdbc.url", "jdbc:h2:mem:fresh_validate;DB_CLOSE_DELAY=-1")
            .overrideConfigKey("quarkus.hibernate-orm.schema-management.strategy", "validate")
            .overrideConfigKey("quarkus.peer.node", "node-v")
            .overrideConfigKey("quarkus.peer.interval", "2s");

    @Inject
    Peer peer;

    @Test
    void theApplicationStartsAndThePeerLeads() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        PeerLease lease = QuarkusTransaction.requiringNew()
                .call(() -> PeerLease.<PeerLease> findById(Peer.DEFAULT_INSTANCE));
        assertThat(lease.node).isEqualTo("node-v");
    }
}
