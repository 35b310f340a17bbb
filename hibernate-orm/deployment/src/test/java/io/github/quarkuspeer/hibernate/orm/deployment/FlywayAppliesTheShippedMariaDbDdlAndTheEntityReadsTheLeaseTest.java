package io.github.quarkuspeer.hibernate.orm.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.inject.Inject;

import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.PeerLease;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The MariaDB DDL shipped in the quarkus-peer jar, copied unchanged into an application's Flyway migrations, makes a
 * table that the peer accepts with {@code schema-management=validate} and leads on; the Panache entity reads the
 * lease with the times the database wrote. The application has a database of its own on the shared server, so that
 * the DDL's own table name is used.
 */
class FlywayAppliesTheShippedMariaDbDdlAndTheEntityReadsTheLeaseTest {

    static final String DATABASE = "quarkus_peer_flyway";

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.mariadb(DATABASE)
            .withApplicationRoot(jar -> jar.addAsResource(new StringAsset(TestDatabases.shipped("META-INF/quarkus-peer/ddl/mariadb.sql")),
                            "db/migration/V1__quarkus_peers.sql"))
            .overrideConfigKey("quarkus.flyway.migrate-at-start", "true")
            .overrideConfigKey("quarkus.peer.schema-management", "validate")
            .overrideConfigKey("quarkus.peer.node", "node-m")
            .overrideConfigKey("quarkus.peer.interval", "2s")
            .setAfterUndeployListener(() -> TestDatabases.dropMariaDbDatabase(DATABASE));

    @Inject
    Peer peer;

    @Test
    void thePeerLeadsOnTheTableFlywayMadeAndTheEntityReadsItsLease() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        assertThat(peer.getLeader()).contains("node-m");
        Optional<PeerLease> lease = QuarkusTransaction.requiringNew()
                .call(() -> PeerLease.<PeerLease> findByIdOptional(Peer.DEFAULT_INSTANCE));
        Instant now = Instant.now();
        assertThat(lease).hasValueSatisfying(row -> {
            assertThat(row.node).isEqualTo("node-m");
            assertThat(row.fencingToken).isEqualTo(peer.fencingToken().getAsLong());
            // UTC in the table and in the entity: a time zone mix-up would be hours off
            assertThat(row.expiresAt).isBetween(now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofMinutes(1)));
            assertThat(row.expiresAt).isAfter(row.startedAt);
        });
    }
}
