package io.github.quarkuspeer.runtime.health;

import java.util.function.Supplier;

import org.eclipse.microprofile.health.HealthCheck;

import io.quarkus.runtime.annotations.Recorder;

/** Makes the readiness check beans, only when SmallRye Health is present. */
@Recorder
public class PeerHealthRecorder {

    public Supplier<HealthCheck> check(String instance) {
        return () -> new PeerHealthCheck(instance);
    }
}
