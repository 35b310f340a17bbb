package io.github.quarkuspeer.deployment;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import io.quarkus.builder.item.SimpleBuildItem;

/**
 * The Hibernate ORM persistence units of the application and the datasource of each, produced only when the
 * application has Hibernate ORM, so that the {@code database} instances can be matched with the unit that maps
 * their lease entity.
 */
public final class PeerPersistenceUnitsBuildItem extends SimpleBuildItem {

    private final Map<String, String> dataSources;

    /** @param dataSources the datasource of each persistence unit, by unit name */
    public PeerPersistenceUnitsBuildItem(Map<String, String> dataSources) {
        this.dataSources = Collections.unmodifiableMap(new TreeMap<>(dataSources));
    }

    /** The datasource of each persistence unit, by unit name, in the order of the names. */
    public Map<String, String> dataSources() {
        return dataSources;
    }
}
