package io.github.quarkuspeer.deployment.global;

import java.util.logging.Level;

import io.github.quarkuspeer.deployment.PeerEngineBuildItem;
import io.github.quarkuspeer.deployment.PeerInstancesBuildItem;
import io.github.quarkuspeer.runtime.PeerKind;
import io.github.quarkuspeer.runtime.global.GlobalEngine;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.LogCategoryBuildItem;

/** Makes the {@code global} kind available to Quarkus Peer, and registers its engine where an instance uses it. */
class GlobalPeerProcessor {

    private static final String FEATURE = "quarkus-peer-global";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /** Tells the core extension that the kind is available, so that it accepts {@code kind=global}. */
    @BuildStep
    PeerEngineBuildItem globalKindAvailable() {
        return new PeerEngineBuildItem(PeerKind.GLOBAL);
    }

    /**
     * JGroups logs every view change and every group it creates at INFO; the peer logs what matters (SPEC 7), so
     * JGroups says only what goes wrong unless the application asks for more.
     */
    @BuildStep
    LogCategoryBuildItem quietJGroups() {
        return new LogCategoryBuildItem("org.jgroups", Level.WARNING);
    }

    @BuildStep
    void globalEngine(PeerInstancesBuildItem instances, BuildProducer<AdditionalBeanBuildItem> beans) {
        if (!instances.ofKind(PeerKind.GLOBAL).isEmpty()) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(GlobalEngine.class));
        }
    }
}
