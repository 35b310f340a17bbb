package io.github.quarkuspeer.runtime.health;

import java.util.function.Supplier;

import io.quarkus.runtime.annotations.Recorder;

/** Makes the readiness check beans, only when SmallRye Health is present. */
@Recorder
public class PeerHealthRecorder {

    // Object, not HealthCheck: the build loads this class whether or not the application has MicroProfile Health
    public Supplier<Object> check(String instance) {
        return () -> new PeerHealthCheck(instance);
    }
}
