package io.github.quarkuspeer.deployment;

import java.util.Optional;
import java.util.Set;

import io.github.quarkuspeer.Peer;

/** Finds the instance a {@code quarkus.peer.*} property belongs to. */
final class InstanceNames {

    static final String PREFIX = "quarkus.peer.";

    /** The first segment of every instance key, so that {@code quarkus.peer.<key>} is the default instance's. */
    static final Set<String> KEYS = Set.of("enabled", "kind", "node", "interval", "lease-duration", "candidate",
            "datasource", "persistence-unit", "table", "schema-management", "isolated", "global", "health");

    private InstanceNames() {
    }

    /**
     * The instance of a property: {@value Peer#DEFAULT_INSTANCE} for {@code quarkus.peer.interval}, {@code billing}
     * for {@code quarkus.peer.billing.interval} or {@code quarkus.peer."billing".interval}.
     *
     * @return the instance, or empty if the property is not an instance key
     */
    static Optional<String> of(String property) {
        if (!property.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = property.substring(PREFIX.length());
        if (rest.startsWith("\"")) {
            int end = rest.indexOf('"', 1);
            if (end < 0 || end + 1 >= rest.length() || rest.charAt(end + 1) != '.') {
                return Optional.empty();
            }
            return Optional.of(rest.substring(1, end));
        }
        int dot = rest.indexOf('.');
        String first = dot < 0 ? rest : rest.substring(0, dot);
        if (KEYS.contains(first)) {
            return Optional.of(Peer.DEFAULT_INSTANCE);
        }
        return dot < 0 ? Optional.empty() : Optional.of(first);
    }
}
