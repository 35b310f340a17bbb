package io.github.quarkuspeer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.Peer;

class ConfigKeysTest {

    @Test
    void instanceNamesComeFromPropertyNames() {
        assertThat(ConfigKeys.instanceOf("quarkus.peer.interval")).contains(Peer.DEFAULT_INSTANCE);
        assertThat(ConfigKeys.instanceOf("quarkus.peer.lease-duration")).contains(Peer.DEFAULT_INSTANCE);
        assertThat(ConfigKeys.instanceOf("quarkus.peer.isolated.leader")).contains(Peer.DEFAULT_INSTANCE);
        assertThat(ConfigKeys.instanceOf("quarkus.peer.global.members")).contains(Peer.DEFAULT_INSTANCE);
        assertThat(ConfigKeys.instanceOf("quarkus.peer.billing.interval")).contains("billing");
        assertThat(ConfigKeys.instanceOf("quarkus.peer.\"a.b\".health.enabled")).contains("a.b");
        assertThat(ConfigKeys.instanceOf("quarkus.peers.interval")).isEmpty();
        assertThat(ConfigKeys.instanceOf("quarkus.peer.orphan")).isEmpty();
    }

    @Test
    void theKeysOfAnInstanceAreReadFromTheConfigInterfaces() {
        assertThat(ConfigKeys.INSTANCE_KEYS).contains("kind", "datasource", "persistence-unit", "table", "health",
                "enabled", "node", "interval", "lease-duration", "candidate", "schema-management", "isolated",
                "global");
    }

    @Test
    void durationsAreWrittenAsAUserWouldWriteThem() {
        assertThat(ConfigKeys.format(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(ConfigKeys.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void aNamedInstancesKeyIsQuotedOnlyWhenItMustBe() {
        assertThat(ConfigKeys.key(Peer.DEFAULT_INSTANCE, "interval")).isEqualTo("quarkus.peer.interval");
        assertThat(ConfigKeys.key("billing", "interval")).isEqualTo("quarkus.peer.billing.interval");
        assertThat(ConfigKeys.key("a.b", "interval")).isEqualTo("quarkus.peer.\"a.b\".interval");
    }
}
