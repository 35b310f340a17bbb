package io.github.quarkuspeer.runtime;

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
 * Quarkus Peer settings fixed when the application is built.
 */
@ConfigMapping(prefix = "quarkus.peer")
@ConfigRoot(phase = ConfigPhase.BUILD_AND_RUN_TIME_FIXED)
public interface PeerBuildTimeConfig {

    /**
     * Instances. The default instance's keys are {@code quarkus.peer.<key>}, a named instance's
     * {@code quarkus.peer."<name>".<key>}; any key of a named instance declares it.
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
         * The datasource that holds the lease table of the {@code database} kind. It must be a JDBC datasource of
         * this application. When not set, the datasource of the persistence unit set in {@code persistence-unit},
         * or else the default datasource.
         */
        @ConfigDocDefault("the default datasource")
        Optional<String> datasource();

        /**
         * A datasource that the {@code database} kind uses only to hear of released leases, on PostgreSQL: set it when
         * the lease datasource goes through a pooler in transaction mode, such as PgBouncer with
         * {@code pool_mode=transaction}. Such a pooler runs each transaction on whichever server connection is free,
         * so a {@code LISTEN} sent through it hears nothing. Name a datasource of the same database that connects
         * directly (or through a pooler in session mode); each node holds one connection of it, for as long as it
         * runs. The leases, and the {@code NOTIFY} that goes with each release, still go through the lease
         * datasource.
         * <p>
         * When it is not set, or when that datasource is inactive at run time (it has no URL, or {@code active=false}),
         * the node listens on a connection of the lease datasource. If notifications do not arrive there, the node
         * says so once in its log, and a released lease is taken over at the followers' next check, about half a
         * lease later on average, instead of at once. Instances whose leases are on the same datasource share its
         * listening connection, so they must name the same datasource here.
         */
        @ConfigDocDefault("the lease datasource")
        Optional<String> notifyDatasource();

        /**
         * The Hibernate ORM persistence unit that maps the lease table as the read-only entity {@code PeerLease},
         * for the {@code database} kind, when the application has Hibernate ORM. When not set, the entity joins
         * every unit of the instance's datasource. Set it when the application's units are all named.
         */
        @ConfigDocDefault("the units of the datasource")
        Optional<String> persistenceUnit();

        /**
         * The lease table of the {@code database} kind: a plain SQL identifier (a letter or underscore, then
         * letters, digits or underscores, at most 48 characters). Its token sequence is named after it with the
         * suffix {@code _seq}. All {@code database} instances of an application use the same table, since one entity
         * maps it: a named instance takes the default instance's unless it sets its own.
         */
        @ConfigDocDefault("quarkus_peers")
        Optional<String> table();

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
