package io.github.quarkuspeer.runtime;

import java.net.InetAddress;
import java.time.Duration;
import java.util.regex.Pattern;

import io.github.quarkuspeer.runtime.PeerBuildTimeConfig.InstanceBuildTimeConfig;
import io.github.quarkuspeer.runtime.PeerRuntimeConfig.InstanceRuntimeConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The effective, validated settings of one instance: what the configuration says once defaults are applied.
 *
 * @param instance the instance name
 * @param kind the kind actually run ({@code isolated} when {@code enabled=false})
 * @param enabled whether this node takes part in elections
 * @param node this node's name
 * @param interval how often a follower checks
 * @param lease how long a lease lasts
 * @param candidate whether this node may lead
 * @param datasource the datasource of the {@code database} kind
 * @param table the lease table
 * @param schemaManagement what to do with the table at start
 * @param isolatedLeader the fixed answer of the {@code isolated} kind
 */
public record InstanceSettings(String instance, PeerKind kind, boolean enabled, String node, Duration interval,
        Duration lease, boolean candidate, String datasource, String table, SchemaManagement schemaManagement,
        boolean isolatedLeader) {

    /** The longest instance or node name. */
    public static final int MAX_NAME_LENGTH = 255;
    /** The longest table name, leaving room for the sequence's suffix within every database's limit. */
    public static final int MAX_TABLE_LENGTH = 48;
    /** The shortest lease: below it the safety margin would leave no time to lead. */
    public static final Duration MIN_LEASE = Duration.ofMillis(500);

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Resolves and checks the settings of an instance.
     *
     * @throws ConfigurationException naming the key and the value that are wrong
     */
    public static InstanceSettings resolve(String instance, String datasource, InstanceBuildTimeConfig build,
            InstanceRuntimeConfig runtime, InstanceRuntimeConfig defaults) {
        checkName(instance);
        String table = checkTable(instance, build.table());
        Duration interval = runtime.interval();
        if (interval.isNegative() || interval.isZero()) {
            throw invalid(instance, "interval", interval, "the interval must be positive");
        }
        Duration lease = runtime.leaseDuration().orElse(interval);
        if (lease.isNegative() || lease.isZero()) {
            throw invalid(instance, "lease-duration", lease, "the lease duration must be positive");
        }
        if (lease.compareTo(MIN_LEASE) < 0) {
            throw invalid(instance, "lease-duration", lease, "the lease duration must be at least 500ms");
        }
        if (lease.compareTo(interval.dividedBy(2)) < 0) {
            throw invalid(instance, "lease-duration", lease, "the lease duration must be at least half the interval ("
                    + ConfigKeys.key(instance, "interval") + "=" + ConfigKeys.rawValue(instance, "interval", interval)
                    + "), or the leader could not renew in time");
        }
        // A node has one name: a named instance takes the default instance's unless it sets its own.
        String node = runtime.node().or(defaults::node).orElseGet(InstanceSettings::hostName);
        int nodeLength = node.codePointCount(0, node.length());
        if (nodeLength == 0 || nodeLength > MAX_NAME_LENGTH) {
            throw new ConfigurationException(ConfigKeys.key(instance, "node") + "=" + abbreviate(node)
                    + " is invalid: a node name must have 1 to " + MAX_NAME_LENGTH + " characters, it has "
                    + nodeLength);
        }
        PeerKind kind = runtime.enabled() ? build.kind() : PeerKind.ISOLATED;
        boolean isolatedLeader = runtime.enabled() && runtime.isolated().leader();
        return new InstanceSettings(instance, kind, runtime.enabled(), node, interval, lease, runtime.candidate(),
                datasource, table, runtime.schemaManagement(), isolatedLeader);
    }

    /**
     * Checks an instance name.
     *
     * @throws ConfigurationException if it is empty or longer than {@value #MAX_NAME_LENGTH} characters
     */
    public static void checkName(String instance) {
        int length = instance.codePointCount(0, instance.length());
        if (length == 0 || length > MAX_NAME_LENGTH) {
            throw new ConfigurationException("Quarkus Peer instance name '" + abbreviate(instance)
                    + "' is invalid: an instance name must have 1 to " + MAX_NAME_LENGTH + " characters, it has "
                    + length);
        }
    }

    /**
     * Checks a table name.
     *
     * @return the table name
     * @throws ConfigurationException if it is not a plain SQL identifier of at most {@value #MAX_TABLE_LENGTH}
     *         characters
     */
    public static String checkTable(String instance, String table) {
        if (!IDENTIFIER.matcher(table).matches() || table.length() > MAX_TABLE_LENGTH) {
            throw new ConfigurationException(ConfigKeys.key(instance, "table") + "=" + table
                    + " is invalid: the table name must be a plain SQL identifier (a letter or underscore, then "
                    + "letters, digits or underscores) of at most " + MAX_TABLE_LENGTH + " characters");
        }
        return table;
    }

    private static ConfigurationException invalid(String instance, String key, Duration value, String why) {
        return new ConfigurationException(ConfigKeys.key(instance, key) + "="
                + ConfigKeys.rawValue(instance, key, value) + " is invalid: " + why);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    /** This machine's host name, the default node name. */
    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
