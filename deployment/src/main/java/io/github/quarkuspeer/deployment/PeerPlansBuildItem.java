package io.github.quarkuspeer.deployment;

import java.util.List;

import io.github.quarkuspeer.runtime.InstancePlan;
import io.quarkus.builder.item.SimpleBuildItem;

/**
 * What the run time receives: one plan per instance, once every build-time setting is known to be right, the
 * datasources of the {@code database} instances included. It exists only if the build goes on.
 */
public final class PeerPlansBuildItem extends SimpleBuildItem {

    private final List<InstancePlan> plans;

    PeerPlansBuildItem(List<InstancePlan> plans) {
        this.plans = List.copyOf(plans);
    }

    /** The plans, the default instance first if it exists. */
    public List<InstancePlan> plans() {
        return plans;
    }
}
