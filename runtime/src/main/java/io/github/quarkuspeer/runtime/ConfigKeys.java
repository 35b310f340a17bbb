package io.github.quarkuspeer.runtime;

import java.util.Optional;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;

import io.github.quarkuspeer.Peer;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;

/** Property names of an instance's keys, for messages that name the key the user wrote. */
public final class ConfigKeys {

    public static final String PREFIX = "quarkus.peer";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]+");

    private ConfigKeys() {
    }

    /** The property name of {@code key} for an instance: {@code quarkus.peer.key} or {@code quarkus.peer."name".key}. */
    public static String key(String instance, String key) {
        if (Peer.DEFAULT_INSTANCE.equals(instance)) {
            return PREFIX + "." + key;
        }
        return PREFIX + "." + (PLAIN.matcher(instance).matches() ? instance : '"' + instance + '"') + "." + key;
    }

    /** The value as written in the configuration, or {@code fallback} if it is not set (a default). */
    public static String rawValue(String instance, String key, Object fallback) {
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
        return found == null ? String.valueOf(fallback) : found.getRawValue();
    }
}
