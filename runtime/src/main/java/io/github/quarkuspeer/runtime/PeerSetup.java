package io.github.quarkuspeer.runtime;

import java.util.List;

/**
 * What the build decided: one plan per instance, the default instance first if it exists.
 *
 * @param plans the instances
 */
public record PeerSetup(List<InstancePlan> plans) {
}
