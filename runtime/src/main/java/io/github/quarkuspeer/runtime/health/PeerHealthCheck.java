package io.github.quarkuspeer.runtime.health;

import java.util.Locale;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.PeerStatus;
import io.github.quarkuspeer.runtime.PeerStatuses;
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
        PeerStatus status = Arc.container().instance(PeerStatuses.class).get().status(instance);
        HealthCheckResponseBuilder response = HealthCheckResponse.named(nameOf(instance))
                .withData("node", status.node())
                .withData("leader", status.leader())
                .withData("kind", status.kind().name().toLowerCase(Locale.ROOT));
        status.leaderNode().ifPresent(leader -> response.withData("leaderNode", leader));
        status.fencingToken().ifPresent(token -> response.withData("fencingToken", token));
        if (status.failing()) {
            response.withData("error", status.lastError().orElseThrow());
        }
        return response.status(!status.failing()).build();
    }
}
