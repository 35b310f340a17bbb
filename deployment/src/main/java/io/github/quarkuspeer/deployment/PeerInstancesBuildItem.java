package io.github.quarkuspeer.deployment;

import java.util.List;
import java.util.Optional;

import io.github.quarkuspeer.runtime.PeerKind;
import io.quarkus.builder.item.SimpleBuildItem;

/** The instances this application has, with their build-time settings resolved. */
public final class PeerInstancesBuildItem extends SimpleBuildItem {

    /**
     * One instance.
     *
     * @param name the instance name
     * @param kind its kind
     * @param datasource the datasource of a {@code database} instance, otherwise empty
     * @param persistenceUnit the persistence unit that maps the lease entity, for a {@code database} instance
     * @param table the lease table
     * @param notifyDatasource the datasource that a {@code database} instance listens for released leases on, if it
     *        names one
     * @param health whether it contributes a readiness check
     */
    public record Instance(String name, PeerKind kind, Optional<String> datasource, Optional<String> persistenceUnit,
            String table, Optional<String> notifyDatasource, boolean health) {
    }

    private final List<Instance> instances;

    PeerInstancesBuildItem(List<Instance> instances) {
        this.instances = List.copyOf(instances);
    }

    /** The instances, the default one first if it exists. */
    public List<Instance> instances() {
        return instances;
    }

    public boolean hasDefault() {
        return instances.stream().anyMatch(i -> i.name().equals(io.github.quarkuspeer.Peer.DEFAULT_INSTANCE));
    }

    public List<Instance> ofKind(PeerKind kind) {
        return instances.stream().filter(i -> i.kind() == kind).toList();
    }
}
