package io.github.quarkuspeer.deployment;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.maven.dependency.Dependency;
import io.quarkus.test.QuarkusUnitTest;

/**
 * With {@code quarkus-micrometer-registry-prometheus}, each instance has the meters of SPEC 7, tagged with the
 * instance and its kind, as {@code /q/metrics} shows them. Micrometer is added to this application only: the other
 * tests of this module run without it.
 */
class MetricsShowLeadershipInPrometheusTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.postgres("peers_metrics")
            .setForcedDependencies(List.of(Dependency.of("io.quarkus",
                    "quarkus-micrometer-registry-prometheus-deployment", System.getProperty("peer.quarkus-version"))))
            .overrideConfigKey("quarkus.peer.node", "node-m")
            .overrideConfigKey("quarkus.peer.interval", "2s")
            .overrideConfigKey("quarkus.peer.\"reports\".kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"reports\".isolated.leader", "false");

    @Inject
    Peer peer;

    @Test
    void prometheusShowsTheMetersOfEveryInstance() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        long token = peer.fencingToken().getAsLong();
        // the leader renews every second: wait for one renewal to be timed
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("outcome=\"renewed\""));
        String metrics = metrics();
        assertThat(metrics)
                .contains("peer_leader{kind=\"database\",peer_instance=\"<default>\"} 1.0")
                .contains("peer_leader{kind=\"isolated\",peer_instance=\"reports\"} 0.0")
                .contains("peer_fencing_token{kind=\"database\",peer_instance=\"<default>\"} " + token + ".0")
                .contains("peer_fencing_token{kind=\"isolated\",peer_instance=\"reports\"} NaN")
                .contains("peer_leadership_changes_total{kind=\"database\",peer_instance=\"<default>\",reason=\"elected\"} 1.0")
                .contains("peer_leadership_changes_total{kind=\"database\",peer_instance=\"<default>\",reason=\"lost\"} 0.0")
                .contains("peer_election_seconds_count{kind=\"database\",outcome=\"won\",peer_instance=\"<default>\"} 1")
                .contains("peer_election_seconds_count{kind=\"database\",outcome=\"renewed\",peer_instance=\"<default>\"}")
                .contains("peer_election_seconds_count{kind=\"database\",outcome=\"failed\",peer_instance=\"<default>\"} 0");
    }

    static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
