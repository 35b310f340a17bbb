package io.github.quarkuspeer.runtime.health;

import java.util.Locale;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.PeerManager;
import io.github.quarkuspeer.runtime.PeerManager.Managed;
import io.quarkus.arc.Arc;

/**
 * The readiness check of one instance: {@code peer} for the default instance, {@code peer-<name>} for a named one.
 * <p>
 * UP whether or not this node leads; DOWN only while the elections of a {@code database} instance have failed for
 * longer than its lease, with the last error in {@code error}. It reads the published state and never touches the
 * database.
 */
public final class PeerHealthCheck implements HealthCheck {

    private final String instance;

    public PeerHealthCheck(String instance) {
        this.instance = instance;
    }

    /** The check's name for an instance. */
    public static String nameOf(String instance) {
        return Peer.DEFAULT_INSTANCE.equals(instance) ? "peer" : "peer-" + instance;
    }

    @Override
    public HealthCheckResponse call() {
        Managed managed = Arc.container().instance(PeerManager.class).get().managed().get(instance);
        Peer peer = managed.peer();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(nameOf(instance))
                .withData("node", peer.node())
                .withData("leader", peer.isLeader())
                .withData("kind", managed.kind().name().toLowerCase(Locale.ROOT));
        peer.getLeader().ifPresent(leader -> response.withData("leaderNode", leader));
        peer.fencingToken().ifPresent(token -> response.withData("fencingToken", token));
        boolean up = true;
        if (managed.election() != null) {
            long failingFor = managed.election().failingForNanos();
            String error = managed.election().lastError();
            if (error != null && failingFor > managed.settings().lease().toNanos()) {
                up = false;
                response.withData("error", error);
            }
        }
        return response.status(up).build();
    }
}
