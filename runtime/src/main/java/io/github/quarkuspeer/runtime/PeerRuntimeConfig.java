package io.github.quarkuspeer.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.github.quarkuspeer.Peer;
import io.quarkus.runtime.annotations.ConfigDocDefault;
import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigDocSection;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import io.smallrye.config.WithUnnamedKey;

/**
 * Quarkus Peer settings read when the application starts.
 */
@ConfigMapping(prefix = "quarkus.peer")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface PeerRuntimeConfig {

    /**
     * Instances. The default instance's keys are {@code quarkus.peer.<key>}, a named instance's
     * {@code quarkus.peer."<name>".<key>}. A named instance takes the default instance's {@code node},
     * {@code interval}, {@code lease-duration} and {@code candidate} unless it sets its own.
     */
    @ConfigDocSection
    @ConfigDocMapKey("instance-name")
    @WithParentName
    @WithDefaults
    @WithUnnamedKey(Peer.DEFAULT_INSTANCE)
    Map<String, InstanceRuntimeConfig> instances();

    /** Run-time settings of one instance. */
    interface InstanceRuntimeConfig {

        /**
         * Whether this node takes part in the instance's elections. When {@code false} the instance behaves as the
         * {@code isolated} kind with {@code isolated.leader=false}: it never leads and touches nothing.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * This node's name as the other nodes see it, in {@code getLeader()}, logs and health checks: up to 255
         * characters. A named instance takes the default instance's unless it sets its own. It labels the node; it
         * does not identify it (each process has an identity of its own), so two nodes with the same name never
         * both lead.
         */
        @ConfigDocDefault("the host name")
        Optional<String> node();

        /**
         * How often a follower checks for leadership. A follower also checks just after the current leader's
         * lease would expire, if that comes first, and at once when a leader releases its lease on shutdown. A named
         * instance takes the default instance's unless it sets its own.
         */
        @ConfigDocDefault("30s")
        Optional<Duration> interval();

        /**
         * How long a won or renewed lease lasts. The leader renews every half interval (or half lease, if
         * shorter), so it survives a failed renewal or two. A crashed leader is replaced about one lease duration
         * after its last renewal. At least 500 ms, and at least half the interval. A named instance takes the
         * default instance's unless it sets its own; when neither sets one, the instance's interval.
         */
        @ConfigDocDefault("the interval")
        Optional<Duration> leaseDuration();

        /**
         * Whether this node may take leadership. A node that is not a candidate still observes who leads (for
         * {@code getLeader()}), but never writes a lease: for example web-only nodes. A named instance takes the
         * default instance's unless it sets its own.
         */
        @ConfigDocDefault("true")
        Optional<Boolean> candidate();

        /**
         * What the {@code database} kind does with its table at start: {@code create} it (and its sequence) if
         * absent, {@code validate} it and fail the start if it is missing or wrong, or {@code none}. Instances that
         * share a table must agree on it: a named instance takes the default instance's unless it sets its own.
         */
        @ConfigDocDefault("create")
        Optional<SchemaManagement> schemaManagement();

        /** Settings of the {@code isolated} kind. */
        IsolatedConfig isolated();
    }

    /** Settings of the {@code isolated} kind. */
    interface IsolatedConfig {

        /** The fixed answer of {@code isLeader()}. */
        @WithDefault("true")
        boolean leader();
    }
}
