package io.github.quarkuspeer.runtime.metrics;

import java.util.function.Consumer;

import io.quarkus.arc.Arc;
import io.quarkus.runtime.annotations.Recorder;
import io.quarkus.runtime.metrics.MetricsFactory;

/** Hands the instances' meters to Quarkus' metrics, only when Micrometer is present. */
@Recorder
public class PeerMetricsRecorder {

    public Consumer<MetricsFactory> meters() {
        return factory -> Arc.container().instance(PeerMetrics.class).get().bind(factory);
    }
}
