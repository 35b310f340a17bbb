package io.github.quarkuspeer.deployment;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.PeerKind;
import io.quarkus.builder.item.SimpleBuildItem;

/**
 * The instances this application has, with their build-time settings resolved and checked against the
 * configuration. The problems found here are reported with those found once the datasources are known, all at once
 * ({@link PeerProcessor#plans}); until then, steps that would act on the instances' resources, such as mapping the
 * lease entity, do nothing when there are some.
 */
public final class PeerInstancesBuildItem extends SimpleBuildItem {

    /**
     * One instance.
     *
     * @param name the instance name
     * @param kind its kind
     * @param datasource the datasource of a {@code database} instance, otherwise empty
     * @param persistenceUnits the persistence units that map the lease entity, for a {@code database} instance
     *        of an application with Hibernate ORM
     * @param table the lease table
     * @param notifyDatasource the datasource that a {@code database} instance listens for released leases on, if it
     *        names one
     * @param health whether it contributes a readiness check
     */
    public record Instance(String name, PeerKind kind, Optional<String> datasource, Set<String> persistenceUnits,
            String table, Optional<String> notifyDatasource, boolean health) {
    }

    private final List<Instance> instances;
    private final List<String> problems;

    PeerInstancesBuildItem(List<Instance> instances, List<String> problems) {
        this.instances = List.copyOf(instances);
        this.problems = List.copyOf(problems);
    }

    /** The instances, the default one first if it exists. */
    public List<Instance> instances() {
        return instances;
    }

    /** What is wrong with the instances' settings, each naming its key; if anything, the build fails. */
    public List<String> problems() {
        return problems;
    }

    /** Whether nothing is wrong with the instances' settings so far. */
    public boolean valid() {
        return problems.isEmpty();
    }

    public boolean hasDefault() {
        return instances.stream().anyMatch(i -> i.name().equals(Peer.DEFAULT_INSTANCE));
    }

    public List<Instance> ofKind(PeerKind kind) {
        return instances.stream().filter(i -> i.kind() == kind).toList();
    }
}
