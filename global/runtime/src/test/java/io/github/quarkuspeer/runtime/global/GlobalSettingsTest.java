package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.InstancePlan;
import io.github.quarkuspeer.runtime.InstanceSettings;
import io.github.quarkuspeer.runtime.PeerKind;
import io.github.quarkuspeer.runtime.SchemaManagement;
import io.quarkus.runtime.configuration.ConfigurationException;

/** The settings of a global instance: defaults, and every refusal naming the key and the value. */
class GlobalSettingsTest {

    private static InstanceSettings instance(String name, String node) {
        InstancePlan plan = new InstancePlan(name, PeerKind.GLOBAL, Optional.empty(), Optional.empty(), "quarkus_peers",
                Optional.empty());
        return new InstanceSettings(plan, PeerKind.GLOBAL, true, node, Duration.ofSeconds(2), Duration.ofSeconds(2),
                true, SchemaManagement.CREATE, true);
    }

    private static GlobalPeerConfig.GlobalConfig config(String members, Path dataDir) {
        return new GlobalPeerConfig.GlobalConfig() {
            @Override
            public Optional<List<String>> members() {
                return Optional.ofNullable(members).map(m -> List.of(m.split(",")));
            }

            @Override
            public Optional<Path> dataDir() {
                return Optional.ofNullable(dataDir);
            }

            @Override
            public Optional<Path> stack() {
                return Optional.empty();
            }

            @Override
            public Optional<String> clusterName() {
                return Optional.empty();
            }

            @Override
            public boolean joinWithEmptyDataDir() {
                return false;
            }
        };
    }

    @Test
    void withOnlyMembersSetTheNodesOfOneHostKeepApart() {
        GlobalSettings n1 = GlobalSettings.resolve(instance(Peer.DEFAULT_INSTANCE, "n1"),
                config("n1@127.0.0.1:7801,n2@127.0.0.1:7802", null), config(null, null));
        GlobalSettings n2 = GlobalSettings.resolve(instance(Peer.DEFAULT_INSTANCE, "n2"),
                config("n1@127.0.0.1:7801,n2@127.0.0.1:7802", null), config(null, null));
        assertThat(n1.directory()).isEqualTo(Paths.get("quarkus-peer", "n1", "default").toAbsolutePath());
        assertThat(n2.directory()).isEqualTo(Paths.get("quarkus-peer", "n2", "default").toAbsolutePath());
        assertThat(n1.self()).isEqualTo(new GlobalSettings.Member("n1", "127.0.0.1", 7801));
        assertThat(n1.clusterName()).isEqualTo("quarkus-peer-default");
    }

    @Test
    void aNamedInstanceKeepsItsLogBesideTheDefaultOnesUnderTheSameDataDirectory() {
        GlobalSettings reports = GlobalSettings.resolve(instance("reports", "n1"),
                config("n1@127.0.0.1:7811", null), config("n1@127.0.0.1:7801", Paths.get("/var/lib/app")));
        assertThat(reports.directory()).isEqualTo(Paths.get("/var/lib/app/reports"));
        assertThat(GlobalSettings.directoryName("../x")).doesNotContain("/").doesNotContain("..");
    }

    @Test
    void badMembersAreRefusedNamingTheKeyAndTheValue() {
        assertThatThrownBy(() -> GlobalSettings.resolve(instance("reports", "n1"), config(null, null),
                config(null, null))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("quarkus.peer.reports.global.members is not set");
        assertThatThrownBy(() -> GlobalSettings.resolve(instance(Peer.DEFAULT_INSTANCE, "n1"),
                config("n1@127.0.0.1", null), config(null, null))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("quarkus.peer.global.members=n1@127.0.0.1 is invalid")
                .hasMessageContaining("not name@host:port");
        assertThatThrownBy(() -> GlobalSettings.resolve(instance(Peer.DEFAULT_INSTANCE, "n1"),
                config("n1@127.0.0.1:7801,n1@127.0.0.1:7802", null), config(null, null)))
                .hasMessageContaining("the name n1 appears twice");
        assertThatThrownBy(() -> GlobalSettings.resolve(instance(Peer.DEFAULT_INSTANCE, "n1"),
                config("n1@127.0.0.1:7801,n2@127.0.0.1:7801", null), config(null, null)))
                .hasMessageContaining("the address 127.0.0.1:7801 appears twice");
        assertThatThrownBy(() -> GlobalSettings.resolve(instance(Peer.DEFAULT_INSTANCE, "n1"),
                config("n1@127.0.0.1:70000", null), config(null, null)))
                .hasMessageContaining("no port from 1 to 65535");
    }
}
