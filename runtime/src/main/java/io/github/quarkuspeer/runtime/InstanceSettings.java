package io.github.quarkuspeer.runtime;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.PeerRuntimeConfig.InstanceRuntimeConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The effective, validated settings of one instance: the build's plan with the run-time keys applied.
 *
 * @param plan what the build decided
 * @param kind the kind actually run ({@code isolated} when {@code enabled=false})
 * @param enabled whether this node takes part in elections
 * @param node this node's name
 * @param interval how often a follower checks
 * @param lease how long a lease lasts
 * @param candidate whether this node may lead
 * @param schemaManagement what to do with the table at start
 * @param isolatedLeader the fixed answer of the {@code isolated} kind
 */
public record InstanceSettings(InstancePlan plan, PeerKind kind, boolean enabled, String node, Duration interval,
        Duration lease, boolean candidate, SchemaManagement schemaManagement, boolean isolatedLeader) {

    /** The shortest lease: below it the safety margin would leave no time to lead. */
    public static final Duration MIN_LEASE = Duration.ofMillis(500);

    /** The interval when neither the instance nor the default instance sets one. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    /**
     * Resolves and checks the settings of an instance. A named instance takes the default instance's
     * {@code node}, {@code interval}, {@code lease-duration}, {@code candidate} and {@code schema-management} unless
     * it sets its own.
     *
     * @throws ConfigurationException naming the key and the value that are wrong
     */
    public static InstanceSettings resolve(InstancePlan plan, InstanceRuntimeConfig runtime,
            InstanceRuntimeConfig defaults) {
        String instance = plan.instance();
        Inherited<Duration> interval = Inherited.of(instance, "interval", runtime.interval(), defaults.interval(),
                DEFAULT_INTERVAL);
        if (interval.value().isNegative() || interval.value().isZero()) {
            throw interval.invalid("the interval must be positive");
        }
        Inherited<Duration> lease = Inherited.of(instance, "lease-duration", runtime.leaseDuration(),
                defaults.leaseDuration(), interval.value());
        if (lease.value().isNegative() || lease.value().isZero()) {
            throw lease.invalid("the lease duration must be positive");
        }
        if (lease.value().compareTo(MIN_LEASE) < 0) {
            throw lease.invalid("the lease duration must be at least 500ms");
        }
        if (lease.value().compareTo(interval.value().dividedBy(2)) < 0) {
            throw lease.invalid("the lease duration must be at least half the interval (" + interval.describe()
                    + "), or the leader could not renew in time");
        }
        String node = runtime.node().or(defaults::node).orElseGet(InstanceSettings::hostName);
        int nodeLength = node.codePointCount(0, node.length());
        if (nodeLength == 0 || nodeLength > InstancePlan.MAX_NAME_LENGTH) {
            throw new ConfigurationException(Inherited.of(instance, "node", runtime.node(), defaults.node(), node)
                    .describe(InstancePlan.abbreviate(node)) + " is invalid: a node name must have 1 to "
                    + InstancePlan.MAX_NAME_LENGTH
                    + " characters, it has " + nodeLength);
        }
        boolean candidate = runtime.candidate().or(defaults::candidate).orElse(true);
        PeerKind kind = runtime.enabled() ? plan.kind() : PeerKind.ISOLATED;
        boolean isolatedLeader = runtime.enabled() && runtime.isolated().leader();
        return new InstanceSettings(plan, kind, runtime.enabled(), node, interval.value(), lease.value(), candidate,
                runtime.schemaManagement().or(defaults::schemaManagement).orElse(SchemaManagement.CREATE),
                isolatedLeader);
    }

    /** The instance name. */
    public String instance() {
        return plan.instance();
    }

    /** The datasource of a {@code database} instance, or {@code null}. */
    public String datasource() {
        return plan.datasource().orElse(null);
    }

    /** The lease table of a {@code database} instance. */
    public String table() {
        return plan.table();
    }

    /**
     * A run-time value of an instance, and the key it came from: the instance's own, the default instance's, or
     * none (a default), so that a message names the key the user wrote.
     */
    private record Inherited<T>(String instance, String key, T value, String from) {

        static <T> Inherited<T> of(String instance, String key, Optional<T> own, Optional<T> inherited,
                T fallback) {
            if (own.isPresent()) {
                return new Inherited<>(instance, key, own.get(), instance);
            }
            if (inherited.isPresent()) {
                return new Inherited<>(instance, key, inherited.get(), Peer.DEFAULT_INSTANCE);
            }
            return new Inherited<>(instance, key, fallback, null);
        }

        /** The key and its value as written, with the key it was inherited from, or the default it took. */
        String describe() {
            return describe(from == null ? ConfigKeys.format(value) : ConfigKeys.rawValue(from, key, value));
        }

        String describe(String shown) {
            if (from == null) {
                return ConfigKeys.key(instance, key) + " (not set: " + shown + ")";
            }
            String text = ConfigKeys.key(instance, key) + "=" + shown;
            return from.equals(instance) ? text : text + " (inherited from " + ConfigKeys.key(from, key) + ")";
        }

        ConfigurationException invalid(String why) {
            return new ConfigurationException(describe() + " is invalid: " + why);
        }
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
