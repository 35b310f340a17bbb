package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The H2 DDL shipped in the quarkus-peer jar, copied unchanged into an application's Flyway migrations, makes a table
 * that the peer accepts with {@code schema-management=validate} and leads on.
 */
class FlywayAppliesTheShippedH2DdlAndThePeerLeadsOnValidateTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.h2("flyway_h2")
            .withApplicationRoot(jar -> jar.addAsResource(new StringAsset(TestDatabases.shipped("META-INF/quarkus-peer/ddl/h2.sql")),
                            "db/migration/V1__quarkus_peers.sql"))
            .overrideConfigKey("quarkus.flyway.migrate-at-start", "true")
            .overrideConfigKey("quarkus.peer.schema-management", "validate")
            .overrideConfigKey("quarkus.peer.node", "node-f")
            .overrideConfigKey("quarkus.peer.interval", "2s");

    @Inject
    Peer peer;

    @Test
    void thePeerLeadsOnTheTableFlywayMade() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        assertThat(peer.getLeader()).contains("node-f");
        assertThat(peer.fencingToken()).isPresent();
    }
}
