package io.github.quarkuspeer.hibernate.orm.deployment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.PeerLease;
import io.github.quarkuspeer.deployment.PeerInstancesBuildItem;
import io.github.quarkuspeer.deployment.PeerPersistenceUnitsBuildItem;
import io.github.quarkuspeer.deployment.PeerPlansBuildItem;
import io.github.quarkuspeer.runtime.PeerKind;
import io.github.quarkuspeer.runtime.database.Schema;
import io.quarkus.agroal.deployment.AggregatedDataSourceBuildTimeConfigBuildItem;
import io.quarkus.datasource.runtime.DataSourcesBuildTimeConfig;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.AdditionalIndexedClassesBuildItem;
import io.quarkus.deployment.builditem.BytecodeTransformerBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.hibernate.orm.deployment.HibernateOrmConfig;
import io.quarkus.hibernate.orm.deployment.HibernateOrmConfigPersistenceUnit;
import io.quarkus.hibernate.orm.deployment.spi.AdditionalJpaModelBuildItem;

/**
 * Maps the lease table as {@link PeerLease} into the persistence units of the {@code database} instances. This
 * extension is a conditional dependency of {@code quarkus-peer}: it exists only in applications with Hibernate ORM,
 * so it may use Hibernate ORM's build-time types freely.
 */
class PeerHibernateOrmProcessor {

    private static final String FEATURE = "quarkus-peer-hibernate-orm";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /**
     * The persistence units of the application and their datasources, by Quarkus' own rules: the default unit
     * exists when a default datasource exists and no unit is named, or when one of its keys is set.
     */
    @BuildStep
    PeerPersistenceUnitsBuildItem persistenceUnits(HibernateOrmConfig orm, DataSourcesBuildTimeConfig dataSources) {
        Map<String, String> units = new LinkedHashMap<>();
        HibernateOrmConfigPersistenceUnit defaultUnit = orm.defaultPersistenceUnit();
        Map<String, HibernateOrmConfigPersistenceUnit> named = orm.namedPersistenceUnits();
        // Quarkus can infer the default datasource's kind from a lone JDBC driver, so it may exist unconfigured:
        // assume it does, and let the check against the JDBC datasources say otherwise.
        boolean namedDataSourcesOnly = dataSources.hasNamedDataSources()
                && dataSources.dataSources().get(Peer.DEFAULT_INSTANCE).dbKind().isEmpty();
        if ((!namedDataSourcesOnly && named.isEmpty()) || defaultUnit.isAnyPropertySet()) {
            units.put(Peer.DEFAULT_INSTANCE, defaultUnit.datasource().orElse(Peer.DEFAULT_INSTANCE));
        }
        named.forEach((name, unit) -> units.put(name, unit.datasource().orElse(Peer.DEFAULT_INSTANCE)));
        return new PeerPersistenceUnitsBuildItem(units);
    }

    /**
     * Hands the lease entity to Hibernate ORM when some persistence unit maps it, and points its query at the
     * configured table. Not when the build is about to fail: Hibernate ORM would complain first, and less clearly,
     * about an entity whose datasource is missing. The datasources are told by their build-time configuration here,
     * since the JDBC datasources are known only once the index, which this step adds to, is complete.
     */
    @BuildStep
    void leaseEntity(PeerInstancesBuildItem instances, List<AggregatedDataSourceBuildTimeConfigBuildItem> dataSources,
            BuildProducer<AdditionalIndexedClassesBuildItem> indexed,
            BuildProducer<BytecodeTransformerBuildItem> transformers) {
        List<PeerInstancesBuildItem.Instance> database = instances.ofKind(PeerKind.DATABASE);
        Set<String> jdbc = dataSources.stream().map(AggregatedDataSourceBuildTimeConfigBuildItem::getName)
                .collect(Collectors.toSet());
        if (unitsOf(instances).isEmpty() || !instances.valid()
                || !database.stream().allMatch(i -> jdbc.contains(i.datasource().orElseThrow()))) {
            return;
        }
        indexed.produce(new AdditionalIndexedClassesBuildItem(PeerLease.class.getName()));
        String table = database.get(0).table();
        if (!table.equals(Schema.DEFAULT_TABLE)) {
            transformers.produce(new BytecodeTransformerBuildItem(PeerLease.class.getName(),
                    (name, visitor) -> new LeaseTableVisitor(visitor, table)));
        }
    }

    /**
     * Puts the lease entity into the persistence units of the {@code database} instances, once every setting is
     * known to be right ({@link PeerPlansBuildItem} exists only then).
     */
    @BuildStep
    void leaseEntityModel(PeerInstancesBuildItem instances, PeerPlansBuildItem plans,
            BuildProducer<AdditionalJpaModelBuildItem> models) {
        Set<String> units = unitsOf(instances);
        if (!units.isEmpty()) {
            models.produce(new AdditionalJpaModelBuildItem(PeerLease.class.getName(), units));
        }
    }

    private static Set<String> unitsOf(PeerInstancesBuildItem instances) {
        return instances.ofKind(PeerKind.DATABASE).stream().flatMap(i -> i.persistenceUnits().stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
