package io.github.quarkuspeer.deployment;

import java.util.Optional;

import io.github.quarkuspeer.runtime.metrics.PeerMetrics;
import io.github.quarkuspeer.runtime.metrics.PeerMetricsRecorder;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.metrics.MetricsCapabilityBuildItem;
import io.quarkus.deployment.metrics.MetricsFactoryConsumerBuildItem;
import io.quarkus.runtime.metrics.MetricsFactory;

/**
 * The meters of SPEC 7, only when the application has {@code quarkus-micrometer}: then and only then the
 * {@link PeerMetrics} bean exists and Quarkus hands it its metrics factory.
 */
class PeerMetricsProcessor {

    @BuildStep
    void metricsBean(Optional<MetricsCapabilityBuildItem> metrics, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (micrometer(metrics)) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(PeerMetrics.class));
        }
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void meters(Optional<MetricsCapabilityBuildItem> metrics, PeerMetricsRecorder recorder,
            BuildProducer<MetricsFactoryConsumerBuildItem> meters) {
        if (micrometer(metrics)) {
            meters.produce(new MetricsFactoryConsumerBuildItem(recorder.meters()));
        }
    }

    private static boolean micrometer(Optional<MetricsCapabilityBuildItem> metrics) {
        return metrics.isPresent() && metrics.get().metricsSupported(MetricsFactory.MICROMETER);
    }
}
