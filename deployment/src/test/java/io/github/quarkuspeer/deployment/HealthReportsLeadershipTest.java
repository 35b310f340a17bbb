package io.github.quarkuspeer.deployment;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasKey;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.test.QuarkusUnitTest;

/** The readiness checks of SPEC section 8, one per instance, as a probe sees them. */
class HealthReportsLeadershipTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.postgres("peers_health")
            .overrideConfigKey("quarkus.peer.node", "node-h")
            .overrideConfigKey("quarkus.peer.interval", "2s")
            .overrideConfigKey("quarkus.peer.\"reports\".kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"reports\".isolated.leader", "false")
            .overrideConfigKey("quarkus.peer.\"quiet\".kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"quiet\".health.enabled", "false");

    @Inject
    Peer peer;

    @Test
    void eachInstanceHasAReadinessCheckWithItsLeadership() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("peer", "peer-reports"))
                .body("checks.find { it.name == 'peer' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'peer' }.data.node", equalTo("node-h"))
                .body("checks.find { it.name == 'peer' }.data.leader", equalTo(true))
                .body("checks.find { it.name == 'peer' }.data.leaderNode", equalTo("node-h"))
                .body("checks.find { it.name == 'peer' }.data.kind", equalTo("database"))
                .body("checks.find { it.name == 'peer' }.data.fencingToken", greaterThan(0))
                .body("checks.find { it.name == 'peer-reports' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'peer-reports' }.data.leader", equalTo(false))
                .body("checks.find { it.name == 'peer-reports' }.data.kind", equalTo("isolated"))
                .body("checks.find { it.name == 'peer-reports' }.data", not(hasKey("leaderNode")))
                .body("checks.find { it.name == 'peer-reports' }.data", not(hasKey("fencingToken")))
                .body("checks.name", not(hasItems("peer-quiet")));
    }
}
