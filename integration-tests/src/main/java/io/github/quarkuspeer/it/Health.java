package io.github.quarkuspeer.it;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * One node's answer to {@code GET /q/health/ready}: its overall status and every readiness check, among them one
 * per peer instance ({@code peer} for the default instance, {@code peer-<name>} for a named one).
 *
 * @param httpStatus 200 when UP, 503 when DOWN
 */
public record Health(int httpStatus, String status, List<Check> checks) {

    /** One readiness check and its data. */
    public record Check(String name, String status, Map<String, Object> data) {

        public boolean up() {
            return "UP".equals(status);
        }
    }

    /** The name of the readiness check of an instance. */
    public static String checkName(String instance) {
        return PeersView.DEFAULT_INSTANCE.equals(instance) ? "peer" : "peer-" + instance;
    }

    /** The readiness check of a peer instance; throws if it is absent. */
    public Check peer(String instance) {
        String name = checkName(instance);
        return checks.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("No health check " + name + " in " + this));
    }

    /** The {@code leader} entry of an instance's check: whether this node leads it. */
    public boolean leads(String instance) {
        return Boolean.TRUE.equals(peer(instance).data().get("leader"));
    }

    /** Whether the check of an instance is UP. */
    public boolean peerUp(String instance) {
        return peer(instance).up();
    }

    /** The peer checks of every instance, by instance name. */
    public Map<String, Check> peers() {
        Map<String, Check> peers = new java.util.LinkedHashMap<>();
        for (Check check : checks) {
            if (check.name().equals("peer")) {
                peers.put(PeersView.DEFAULT_INSTANCE, check);
            } else if (check.name().startsWith("peer-")) {
                peers.put(check.name().substring("peer-".length()), check);
            }
        }
        return peers;
    }
}
