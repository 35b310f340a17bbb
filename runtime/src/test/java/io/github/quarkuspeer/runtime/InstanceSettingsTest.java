package io.github.quarkuspeer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.PeerRuntimeConfig.InstanceRuntimeConfig;
import io.github.quarkuspeer.runtime.PeerRuntimeConfig.IsolatedConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/** A named instance takes the default instance's node, interval, lease and candidacy unless it sets its own. */
class InstanceSettingsTest {

    static final InstancePlan BILLING = new InstancePlan("billing", PeerKind.DATABASE, Optional.of("<default>"),
            Optional.of("postgresql"), "quarkus_peers", Optional.empty());

    record Runtime(Optional<String> node, Optional<Duration> interval, Optional<Duration> leaseDuration,
            Optional<Boolean> candidate) implements InstanceRuntimeConfig {

        static Runtime unset() {
            return new Runtime(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public Optional<SchemaManagement> schemaManagement() {
            return Optional.empty();
        }

        @Override
        public IsolatedConfig isolated() {
            return () -> true;
        }
    }

    @Test
    void aNamedInstanceTakesTheDefaultInstancesTimingCandidacyAndNode() {
        Runtime defaults = new Runtime(Optional.of("n1"), Optional.of(Duration.ofSeconds(3)),
                Optional.of(Duration.ofSeconds(4)), Optional.of(false));
        InstanceSettings billing = InstanceSettings.resolve(BILLING, Runtime.unset(), defaults);
        assertThat(billing.node()).isEqualTo("n1");
        assertThat(billing.interval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(billing.lease()).isEqualTo(Duration.ofSeconds(4));
        assertThat(billing.candidate()).isFalse();
    }

    @Test
    void whatANamedInstanceSetsWins() {
        Runtime defaults = new Runtime(Optional.of("n1"), Optional.of(Duration.ofSeconds(3)),
                Optional.of(Duration.ofSeconds(4)), Optional.of(false));
        Runtime own = new Runtime(Optional.of("n2"), Optional.of(Duration.ofSeconds(8)),
                Optional.of(Duration.ofSeconds(9)), Optional.of(true));
        InstanceSettings billing = InstanceSettings.resolve(BILLING, own, defaults);
        assertThat(billing.node()).isEqualTo("n2");
        assertThat(billing.interval()).isEqualTo(Duration.ofSeconds(8));
        assertThat(billing.lease()).isEqualTo(Duration.ofSeconds(9));
        assertThat(billing.candidate()).isTrue();
    }

    @Test
    void withNothingSetTheLeaseIsTheInstancesOwnInterval() {
        Runtime own = new Runtime(Optional.empty(), Optional.of(Duration.ofSeconds(8)), Optional.empty(),
                Optional.empty());
        InstanceSettings billing = InstanceSettings.resolve(BILLING, own, Runtime.unset());
        assertThat(billing.interval()).isEqualTo(Duration.ofSeconds(8));
        assertThat(billing.lease()).isEqualTo(Duration.ofSeconds(8));
        assertThat(billing.candidate()).isTrue();
        InstanceSettings plain = InstanceSettings.resolve(BILLING, Runtime.unset(), Runtime.unset());
        assertThat(plain.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(plain.lease()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anInheritedValueThatDoesNotFitNamesBothKeys() {
        Runtime defaults = new Runtime(Optional.empty(), Optional.empty(), Optional.of(Duration.ofSeconds(2)),
                Optional.empty());
        Runtime own = new Runtime(Optional.empty(), Optional.of(Duration.ofSeconds(10)), Optional.empty(),
                Optional.empty());
        assertThatThrownBy(() -> InstanceSettings.resolve(BILLING, own, defaults))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("quarkus.peer.billing.lease-duration=")
                .hasMessageContaining("inherited from quarkus.peer.lease-duration")
                .hasMessageContaining("at least half the interval")
                .hasMessageContaining("quarkus.peer.billing.interval=");
    }

    @Test
    void theDefaultInstanceHasNothingToInherit() {
        Runtime own = new Runtime(Optional.empty(), Optional.of(Duration.ofMillis(200)), Optional.empty(),
                Optional.empty());
        InstancePlan plan = new InstancePlan(Peer.DEFAULT_INSTANCE, PeerKind.ISOLATED, Optional.empty(),
                Optional.empty(), "quarkus_peers", Optional.empty());
        assertThatThrownBy(() -> InstanceSettings.resolve(plan, own, own))
                .hasMessageContaining("quarkus.peer.lease-duration (not set: 200ms) is invalid")
                .hasMessageContaining("at least 500ms");
    }
}
