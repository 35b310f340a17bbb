package io.github.quarkuspeer.deployment.global;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.FreePorts;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A member whose two fellow members never come: it is cut off from a majority, so its readiness check, of kind global,
 * goes DOWN once that has lasted longer than the lease, and says why.
 */
class HealthIsDownWhileCutOffFromAMajorityTest {

    private static final String DATA = "target/health-cut-off-" + ProcessHandle.current().pid();

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "global")
            .overrideConfigKey("quarkus.peer.node", "alone")
            .overrideConfigKey("quarkus.peer.interval", "1s")
            .overrideConfigKey("quarkus.peer.global.members", "alone@127.0.0.1:" + freePort() + ",gone1@127.0.0.1:"
                    + freePort() + ",gone2@127.0.0.1:" + freePort())
            .overrideConfigKey("quarkus.peer.global.data-dir", DATA)
            .overrideConfigKey("quarkus.peer.global.join-with-empty-data-dir", "true");

    @Test
    void theReadinessCheckGoesDownAndNamesTheCause() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(503)
                .body("checks.find { it.name == 'peer' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'peer' }.data.kind", equalTo("global"))
                .body("checks.find { it.name == 'peer' }.data.error", containsString("cut off from a majority")));
    }

    private static int freePort() {
        return FreePorts.pick();
    }
}
