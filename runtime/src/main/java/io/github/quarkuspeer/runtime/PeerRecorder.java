package io.github.quarkuspeer.runtime;

import java.util.List;
import java.util.function.Supplier;

import io.github.quarkuspeer.Peer;
import io.quarkus.arc.Arc;
import io.quarkus.runtime.annotations.Recorder;

/** Makes the beans that the build step declares. */
@Recorder
public class PeerRecorder {

    public Supplier<PeerSetup> setup(List<InstancePlan> plans) {
        PeerSetup setup = new PeerSetup(List.copyOf(plans));
        return () -> setup;
    }

    public Supplier<Peer> peer(String instance) {
        return () -> Arc.container().instance(PeerManager.class).get().get(instance);
    }
}
