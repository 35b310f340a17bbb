package io.github.quarkuspeer.runtime;

import java.util.Map;
import java.util.Optional;

import io.github.quarkuspeer.Peer;
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
 * Quarkus Peer settings fixed when the application is built.
 */
@ConfigMapping(prefix = "quarkus.peer")
@ConfigRoot(phase = ConfigPhase.BUILD_AND_RUN_TIME_FIXED)
public interface PeerBuildTimeConfig {

    /**
     * The instances: the default one under {@code quarkus.peer.*}, a named one under {@code quarkus.peer."name".*}.
     */
    @ConfigDocSection
    @ConfigDocMapKey("instance-name")
    @WithParentName
    @WithDefaults
    @WithUnnamedKey(Peer.DEFAULT_INSTANCE)
    Map<String, InstanceBuildTimeConfig> instances();

    /** Build-time settings of one instance. */
    interface InstanceBuildTimeConfig {

        /**
         * How the instance elects its leader: {@code database} (a lease row in a table), {@code global} (a Raft
         * group of the nodes; needs the {@code quarkus-peer-global} extension) or {@code isolated} (a fixed
         * answer).
         */
        @WithDefault("database")
        PeerKind kind();

        /**
         * The datasource that holds the lease table of the {@code database} kind; the default datasource when not
         * set. It must be a JDBC datasource of this application.
         */
        Optional<String> datasource();

        /**
         * The Hibernate ORM persistence unit that maps the lease table as a Panache entity, for the
         * {@code database} kind; the default unit when not set. Set it when the application's units are all named.
         */
        Optional<String> persistenceUnit();

        /**
         * The lease table of the {@code database} kind: a plain SQL identifier (a letter or underscore, then
         * letters, digits or underscores, at most 48 characters). Its token sequence is named after it with the
         * suffix {@code _seq}. All {@code database} instances of an application use the same table, since the
         * Panache entity maps one.
         */
        @WithDefault("quarkus_peers")
        String table();

        /** Health check settings. */
        HealthConfig health();
    }

    /** Health check settings of one instance. */
    interface HealthConfig {

        /**
         * Whether the instance contributes a readiness check ({@code peer} for the default instance,
         * {@code peer-<name>} for a named one), when {@code quarkus-smallrye-health} is present.
         */
        @WithDefault("true")
        boolean enabled();
    }
}
