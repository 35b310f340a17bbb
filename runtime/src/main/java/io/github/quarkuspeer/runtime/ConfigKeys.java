package io.github.quarkuspeer.runtime;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;

import io.github.quarkuspeer.Peer;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;

/** Property names of an instance's keys, for messages that name the key the user wrote. */
public final class ConfigKeys {

    public static final String PREFIX = "quarkus.peer";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern HUMP = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])");

    /**
     * The first segment of every key of an instance, read from the config interfaces so that it is written in one
     * place: {@code quarkus.peer.<segment>...} belongs to the default instance. {@code global} is the group of the
     * {@code quarkus-peer-global} extension's keys.
     */
    static final Set<String> INSTANCE_KEYS = instanceKeys();

    private ConfigKeys() {
    }

    /** The property name of {@code key} for an instance: {@code quarkus.peer.key} or {@code quarkus.peer."name".key}. */
    public static String key(String instance, String key) {
        if (Peer.DEFAULT_INSTANCE.equals(instance)) {
            return PREFIX + "." + key;
        }
        return PREFIX + "." + (PLAIN.matcher(instance).matches() ? instance : '"' + instance + '"') + "." + key;
    }

    /**
     * The instance a {@code quarkus.peer.*} property belongs to: {@value Peer#DEFAULT_INSTANCE} for
     * {@code quarkus.peer.interval}, {@code billing} for {@code quarkus.peer.billing.interval} or
     * {@code quarkus.peer."billing".interval}.
     *
     * @return the instance, or empty if the property is not a key of an instance
     */
    public static Optional<String> instanceOf(String property) {
        if (!property.startsWith(PREFIX + ".")) {
            return Optional.empty();
        }
        String rest = property.substring(PREFIX.length() + 1);
        if (rest.startsWith("\"")) {
            int end = rest.indexOf('"', 1);
            if (end < 0 || end + 1 >= rest.length() || rest.charAt(end + 1) != '.') {
                return Optional.empty();
            }
            return Optional.of(rest.substring(1, end));
        }
        int dot = rest.indexOf('.');
        String first = dot < 0 ? rest : rest.substring(0, dot);
        if (INSTANCE_KEYS.contains(first)) {
            return Optional.of(Peer.DEFAULT_INSTANCE);
        }
        return dot < 0 ? Optional.empty() : Optional.of(first);
    }

    private static Set<String> instanceKeys() {
        Set<String> keys = new TreeSet<>(Set.of("global"));
        for (Class<?> type : List.of(PeerBuildTimeConfig.InstanceBuildTimeConfig.class,
                PeerRuntimeConfig.InstanceRuntimeConfig.class)) {
            for (Method method : type.getDeclaredMethods()) {
                if (!method.isSynthetic() && !Modifier.isStatic(method.getModifiers())) {
                    keys.add(HUMP.matcher(method.getName()).replaceAll("-").toLowerCase(Locale.ROOT));
                }
            }
        }
        return Set.copyOf(keys);
    }

    /** A value as a user would write it: durations as {@code 30s} or {@code 500ms}. */
    public static String format(Object value) {
        if (value instanceof Duration duration) {
            return duration.toMillis() % 1_000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
        }
        return String.valueOf(value);
    }

    /** The value as written in the configuration, or {@code fallback} if it is not set (a default). */
    public static String rawValue(String instance, String key, Object fallback) {
        return raw(instance, key).orElseGet(() -> format(fallback));
    }

    /** The value as written in the configuration, if it is set. */
    public static Optional<String> raw(String instance, String key) {
        SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        // The same key may be written quoted or not; a default matches both, so prefer the source that ranks highest.
        ConfigValue found = null;
        for (String name : new String[] { key(instance, key), PREFIX + ".\"" + instance + "\"." + key }) {
            ConfigValue value = config.getConfigValue(name);
            if (value != null && value.getRawValue() != null
                    && (found == null || value.getSourceOrdinal() > found.getSourceOrdinal())) {
                found = value;
            }
        }
        return found == null ? Optional.empty() : Optional.of(found.getRawValue());
    }
}
