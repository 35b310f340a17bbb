package io.github.quarkuspeer.deployment;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.jandex.AnnotationInstance;

import io.github.quarkuspeer.LeaderOnly;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.ConfigKeys;
import io.github.quarkuspeer.runtime.InstanceSettings;
import io.github.quarkuspeer.runtime.IsolatedEngine;
import io.github.quarkuspeer.runtime.PeerBuildTimeConfig;
import io.github.quarkuspeer.runtime.PeerBuildTimeConfig.InstanceBuildTimeConfig;
import io.github.quarkuspeer.runtime.PeerInstance;
import io.github.quarkuspeer.runtime.PeerKind;
import io.github.quarkuspeer.runtime.PeerManager;
import io.github.quarkuspeer.runtime.PeerRecorder;
import io.github.quarkuspeer.runtime.PeerSetup;
import io.github.quarkuspeer.runtime.database.DatabaseEngine;
import io.github.quarkuspeer.runtime.database.Dialect;
import io.github.quarkuspeer.runtime.database.PeerLease;
import io.github.quarkuspeer.runtime.database.Schema;
import io.github.quarkuspeer.runtime.health.PeerHealthCheck;
import io.github.quarkuspeer.runtime.health.PeerHealthRecorder;
import io.github.quarkuspeer.runtime.scheduler.LeaderOnlyInterceptor;
import io.quarkus.agroal.spi.JdbcDataSourceBuildItem;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.datasource.runtime.DataSourcesBuildTimeConfig;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.AdditionalIndexedClassesBuildItem;
import io.quarkus.deployment.builditem.ApplicationIndexBuildItem;
import io.quarkus.deployment.builditem.BytecodeTransformerBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.hibernate.orm.deployment.HibernateOrmConfig;
import io.quarkus.hibernate.orm.deployment.HibernateOrmConfigPersistenceUnit;
import io.quarkus.hibernate.orm.deployment.spi.AdditionalJpaModelBuildItem;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.deployment.ForceStartSchedulerBuildItem;

class PeerProcessor {

    private static final String FEATURE = "quarkus-peer";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /**
     * Decides which instances exist and checks their build-time settings. A named instance exists when some
     * {@code quarkus.peer."name".*} key is set; the default instance exists when one of its keys is set, when the
     * code uses it, or when there is no named instance. Code that refers to an instance that does not exist fails
     * the build.
     */
    @BuildStep
    PeerInstancesBuildItem instances(PeerBuildTimeConfig config, ApplicationIndexBuildItem index,
            DataSourcesBuildTimeConfig dataSources, HibernateOrmConfig orm, List<PeerEngineBuildItem> engines) {
        Set<PeerKind> extensionKinds = engines.stream().map(PeerEngineBuildItem::kind)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(PeerKind.class)));
        Set<String> configured = new TreeSet<>();
        for (String property : ConfigProvider.getConfig().getPropertyNames()) {
            InstanceNames.of(property).ifPresent(configured::add);
        }
        configured.addAll(config.instances().keySet());
        PeerUsages usages = PeerUsages.scan(index.getIndex());
        boolean defaultExists = configured.remove(Peer.DEFAULT_INSTANCE) || usages.uses(Peer.DEFAULT_INSTANCE)
                || configured.isEmpty();

        Set<String> names = new LinkedHashSet<>();
        if (defaultExists) {
            names.add(Peer.DEFAULT_INSTANCE);
        }
        names.addAll(configured);
        List<String> unknown = usages.places.keySet().stream().filter(name -> !names.contains(name)).toList();
        if (!unknown.isEmpty()) {
            throw new ConfigurationException(unknown.stream()
                    .map(name -> "No Quarkus Peer instance named '" + name + "' is configured, but "
                            + usages.places.get(name) + " refer to it; configure it with quarkus.peer.\"" + name
                            + "\".kind (or any other key of that instance)")
                    .collect(Collectors.joining("\n")));
        }

        Map<String, String> units = persistenceUnits(orm, dataSources);
        List<PeerInstancesBuildItem.Instance> instances = new ArrayList<>();
        for (String name : names) {
            InstanceSettings.checkName(name);
            InstanceBuildTimeConfig instance = config.instances().get(name);
            String table = InstanceSettings.checkTable(name, instance.table());
            Optional<String> datasource = Optional.empty();
            Optional<String> unit = Optional.empty();
            if (instance.kind() == PeerKind.GLOBAL && !extensionKinds.contains(PeerKind.GLOBAL)) {
                throw new ConfigurationException(ConfigKeys.key(name, "kind") + "=global is not available: it needs "
                        + "the quarkus-peer-global extension; add the dependency "
                        + "io.github.quarkuspeer:quarkus-peer-global to the application");
            }
            if (instance.kind() == PeerKind.DATABASE) {
                instance.datasource().filter(d -> !d.equals(Peer.DEFAULT_INSTANCE))
                        .filter(d -> !dataSources.dataSources().containsKey(d)).ifPresent(d -> {
                            throw new ConfigurationException(ConfigKeys.key(name, "datasource") + "=" + d
                                    + " is invalid: no datasource of that name is configured (configured: "
                                    + dataSources.dataSources().keySet() + ")");
                        });
                unit = Optional.of(persistenceUnit(name, instance, units));
                String unitDataSource = units.get(unit.get());
                if (instance.datasource().isPresent() && !instance.datasource().get().equals(unitDataSource)) {
                    throw new ConfigurationException(ConfigKeys.key(name, "datasource") + "="
                            + instance.datasource().get() + " is invalid: the persistence unit " + unit.get()
                            + ", which maps the lease entity, uses the datasource " + unitDataSource + "; set "
                            + ConfigKeys.key(name, "persistence-unit") + " to a unit of that datasource");
                }
                datasource = Optional.of(instance.datasource().orElse(units.get(unit.get())));
            }
            instances.add(new PeerInstancesBuildItem.Instance(name, instance.kind(), datasource, unit, table,
                    instance.health().enabled()));
        }
        List<PeerInstancesBuildItem.Instance> database = instances.stream()
                .filter(i -> i.kind() == PeerKind.DATABASE).toList();
        Set<String> tables = database.stream().map(PeerInstancesBuildItem.Instance::table)
                .collect(Collectors.toCollection(TreeSet::new));
        if (tables.size() > 1) {
            throw new ConfigurationException("Quarkus Peer: the database instances use different tables ("
                    + database.stream().map(i -> ConfigKeys.key(i.name(), "table") + "=" + i.table())
                            .collect(Collectors.joining(", "))
                    + "); they must share one table, which the Panache entity maps");
        }
        return new PeerInstancesBuildItem(instances);
    }

    /**
     * The persistence units of the application and their datasources, by Quarkus' own rules: the default unit
     * exists when a default datasource exists and no unit is named, or when one of its keys is set.
     */
    private static Map<String, String> persistenceUnits(HibernateOrmConfig orm, DataSourcesBuildTimeConfig dataSources) {
        Map<String, String> units = new LinkedHashMap<>();
        HibernateOrmConfigPersistenceUnit defaultUnit = orm.defaultPersistenceUnit();
        Map<String, HibernateOrmConfigPersistenceUnit> named = orm.namedPersistenceUnits();
        // Quarkus can infer the default datasource's kind from a lone JDBC driver, so it may exist unconfigured:
        // assume it does, and let the check against the real datasources (dataSourceChecks) say otherwise.
        boolean namedDataSourcesOnly = dataSources.hasNamedDataSources()
                && dataSources.dataSources().get(Peer.DEFAULT_INSTANCE).dbKind().isEmpty();
        if ((!namedDataSourcesOnly && named.isEmpty()) || defaultUnit.isAnyPropertySet()) {
            units.put(Peer.DEFAULT_INSTANCE, defaultUnit.datasource().orElse(Peer.DEFAULT_INSTANCE));
        }
        named.forEach((name, unit) -> units.put(name, unit.datasource().orElse(Peer.DEFAULT_INSTANCE)));
        return units;
    }

    private static String persistenceUnit(String name, InstanceBuildTimeConfig instance, Map<String, String> units) {
        if (instance.persistenceUnit().isPresent()) {
            String unit = instance.persistenceUnit().get();
            if (!units.containsKey(unit)) {
                throw new ConfigurationException(ConfigKeys.key(name, "persistence-unit") + "=" + unit
                        + " is invalid: this application has no persistence unit of that name (it has "
                        + units.keySet() + ")");
            }
            return unit;
        }
        if (instance.datasource().isPresent()) {
            List<String> matching = units.entrySet().stream()
                    .filter(e -> e.getValue().equals(instance.datasource().get())).map(Map.Entry::getKey).toList();
            if (matching.size() == 1) {
                return matching.get(0);
            }
        }
        if (!units.containsKey(Peer.DEFAULT_INSTANCE)) {
            throw new ConfigurationException(ConfigKeys.key(name, "kind") + "=database needs a persistence "
                    + "unit to map its lease entity, and this application has no default one (it has "
                    + units.keySet() + "); set " + ConfigKeys.key(name, "persistence-unit") + " and "
                    + ConfigKeys.key(name, "datasource") + ", or make the instance isolated");
        }
        return Peer.DEFAULT_INSTANCE;
    }

    private static void checkDataSource(String name, InstanceBuildTimeConfig instance, String datasource,
            Map<String, JdbcDataSourceBuildItem> jdbc) {
        if (!jdbc.containsKey(datasource)) {
            String which = instance.datasource().isPresent()
                    ? ConfigKeys.key(name, "datasource") + "=" + datasource + " is invalid: "
                            + "this application has no JDBC datasource of that name"
                    : ConfigKeys.key(name, "kind") + "=database needs a datasource, and the datasource '"
                            + datasource + "' is not configured";
            throw new ConfigurationException(which + " (it has " + jdbc.keySet() + "); configure one with "
                    + "quarkus.datasource.db-kind, or set " + ConfigKeys.key(name, "kind") + "=isolated");
        }
        String dbKind = jdbc.get(datasource).getDbKind();
        try {
            Dialect.forDbKind(dbKind);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(ConfigKeys.key(name, "datasource") + "=" + datasource
                    + " is invalid: " + e.getMessage());
        }
    }

    @BuildStep
    void leaseEntity(PeerInstancesBuildItem instances, BuildProducer<AdditionalIndexedClassesBuildItem> indexed,
            BuildProducer<BytecodeTransformerBuildItem> transformers) {
        List<PeerInstancesBuildItem.Instance> database = instances.ofKind(PeerKind.DATABASE);
        if (database.isEmpty()) {
            return;
        }
        indexed.produce(new AdditionalIndexedClassesBuildItem(PeerLease.class.getName()));
        String table = database.get(0).table();
        if (!table.equals(Schema.DEFAULT_TABLE)) {
            transformers.produce(new BytecodeTransformerBuildItem(PeerLease.class.getName(),
                    (name, visitor) -> new TableNameVisitor(visitor, table)));
        }
    }

    /**
     * Puts the lease entity into the persistence units of the {@code database} instances, once their datasources
     * are known to exist and to have a dialect: checked here, before Hibernate ORM sees the entity, whose own
     * complaint about a missing datasource would otherwise race this clearer one.
     */
    @BuildStep
    void leaseEntityModel(PeerBuildTimeConfig config, PeerInstancesBuildItem instances,
            List<JdbcDataSourceBuildItem> dataSources, BuildProducer<AdditionalJpaModelBuildItem> models) {
        List<PeerInstancesBuildItem.Instance> database = instances.ofKind(PeerKind.DATABASE);
        if (database.isEmpty()) {
            return;
        }
        Map<String, JdbcDataSourceBuildItem> jdbc = dataSources.stream()
                .collect(Collectors.toMap(JdbcDataSourceBuildItem::getName, d -> d));
        for (PeerInstancesBuildItem.Instance instance : database) {
            checkDataSource(instance.name(), config.instances().get(instance.name()),
                    instance.datasource().orElseThrow(), jdbc);
        }
        Set<String> units = database.stream().map(i -> i.persistenceUnit().orElseThrow())
                .collect(Collectors.toCollection(TreeSet::new));
        models.produce(new AdditionalJpaModelBuildItem(PeerLease.class.getName(), units));
    }

    @BuildStep
    void beans(PeerInstancesBuildItem instances, BuildProducer<AdditionalBeanBuildItem> beans) {
        beans.produce(AdditionalBeanBuildItem.builder()
                .addBeanClasses(PeerManager.class, LeaderOnlyInterceptor.class, LeaderOnly.class, PeerInstance.class,
                        IsolatedEngine.class)
                .setUnremovable().build());
        if (!instances.ofKind(PeerKind.DATABASE).isEmpty()) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(DatabaseEngine.class));
        }
        if (instances.hasDefault()) {
            beans.produce(AdditionalBeanBuildItem.unremovableOf(LeaderOnly.Skip.class));
        }
    }

    @BuildStep
    ForceStartSchedulerBuildItem periodicChecks() {
        // The periodic checks are programmatic jobs, which only run once the scheduler has started.
        return new ForceStartSchedulerBuildItem();
    }

    @BuildStep
    @Record(ExecutionTime.STATIC_INIT)
    void peerBeans(PeerRecorder recorder, PeerInstancesBuildItem instances,
            List<JdbcDataSourceBuildItem> dataSources, BuildProducer<SyntheticBeanBuildItem> beans) {
        List<String> names = instances.instances().stream().map(PeerInstancesBuildItem.Instance::name).toList();
        Map<String, String> datasources = new HashMap<>();
        instances.instances().forEach(i -> i.datasource().ifPresent(d -> datasources.put(i.name(), d)));
        Map<String, String> dbKinds = new HashMap<>();
        dataSources.stream().filter(d -> datasources.containsValue(d.getName()))
                .forEach(d -> dbKinds.put(d.getName(), d.getDbKind()));
        beans.produce(SyntheticBeanBuildItem.configure(PeerSetup.class).scope(Singleton.class).unremovable()
                .supplier(recorder.setup(names, datasources, dbKinds)).done());
        for (String name : names) {
            SyntheticBeanBuildItem.ExtendedBeanConfigurator bean = SyntheticBeanBuildItem.configure(Peer.class)
                    .types(Peer.class).scope(Singleton.class).unremovable().identifier("peer-" + name)
                    .supplier(recorder.peer(name));
            if (!name.equals(Peer.DEFAULT_INSTANCE)) {
                bean.named(name).addQualifier(AnnotationInstance.builder(PeerInstance.class)
                        .add("value", name).build());
            }
            beans.produce(bean.done());
        }
    }

    @BuildStep
    @Record(ExecutionTime.STATIC_INIT)
    void healthChecks(Capabilities capabilities, PeerHealthRecorder recorder, PeerInstancesBuildItem instances,
            BuildProducer<SyntheticBeanBuildItem> beans) {
        if (!capabilities.isPresent(Capability.SMALLRYE_HEALTH)) {
            return;
        }
        for (PeerInstancesBuildItem.Instance instance : instances.instances()) {
            if (instance.health()) {
                beans.produce(SyntheticBeanBuildItem.configure(PeerHealthCheck.class).types(HealthCheck.class)
                        .addQualifier(Readiness.class).scope(Singleton.class).unremovable()
                        .identifier("peer-health-" + instance.name())
                        .supplier(recorder.check(instance.name())).done());
            }
        }
    }
}
