package io.github.quarkuspeer.deployment;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.DotName;

import io.github.quarkuspeer.LeaderOnly;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.ConfigKeys;
import io.github.quarkuspeer.runtime.InstancePlan;
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
import io.github.quarkuspeer.runtime.database.Schema;
import io.github.quarkuspeer.runtime.health.PeerHealthRecorder;
import io.github.quarkuspeer.runtime.scheduler.LeaderOnlyInterceptor;
import io.quarkus.agroal.spi.JdbcDataSourceBuildItem;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.datasource.common.runtime.DatabaseKind;
import io.quarkus.deployment.Capabilities;
import io.quarkus.deployment.Capability;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.ApplicationIndexBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.deployment.ForceStartSchedulerBuildItem;

class PeerProcessor {

    private static final String FEATURE = "quarkus-peer";
    // By name: the deployment loads no class of MicroProfile Health, which an application may not have.
    private static final DotName HEALTH_CHECK = DotName.createSimple("org.eclipse.microprofile.health.HealthCheck");
    private static final DotName READINESS = DotName.createSimple("org.eclipse.microprofile.health.Readiness");
    private static final DotName HEALTH_CHECK_IMPL = DotName
            .createSimple("io.github.quarkuspeer.runtime.health.PeerHealthCheck");

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /**
     * Decides which instances exist and checks their build-time settings, all of them, so that every error is
     * reported at once ({@link #plans}), each naming its key. A named instance exists when some
     * {@code quarkus.peer."name".*} key is set; the default instance exists when one of its keys is set, when the
     * code uses it, or when there is no named instance. Code that refers to an instance that does not exist fails
     * the build.
     */
    @BuildStep
    PeerInstancesBuildItem instances(PeerBuildTimeConfig config, ApplicationIndexBuildItem index,
            Optional<PeerPersistenceUnitsBuildItem> units, List<PeerEngineBuildItem> engines) {
        Set<PeerKind> extensionKinds = engines.stream().map(PeerEngineBuildItem::kind)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(PeerKind.class)));
        List<String> problems = new ArrayList<>();
        List<PeerInstancesBuildItem.Instance> instances = new ArrayList<>();
        InstanceBuildTimeConfig defaults = config.instances().get(Peer.DEFAULT_INSTANCE);
        for (String name : instanceNames(config, index, problems)) {
            InstanceBuildTimeConfig instance = config.instances().get(name);
            // one table for all: a named instance takes the default instance's unless it sets its own
            String table = instance.table().or(defaults::table).orElse(Schema.DEFAULT_TABLE);
            InstancePlan.checkName(name).ifPresent(problems::add);
            InstancePlan.checkTable(instance.table().isPresent() ? name : Peer.DEFAULT_INSTANCE, table)
                    .ifPresent(problems::add);
            kindProblem(name, instance.kind(), extensionKinds).ifPresent(problems::add);
            Optional<String> datasource = Optional.empty();
            Set<String> mapping = Set.of();
            Optional<String> notify = Optional.empty();
            if (instance.kind() == PeerKind.DATABASE) {
                Optional<String> unit = persistenceUnit(name, instance, units, problems);
                Optional<String> resolved = dataSource(name, instance, unit, units, problems);
                datasource = resolved;
                mapping = unit.map(Set::of).orElseGet(() -> unitsOf(resolved, units));
                notify = instance.notifyDatasource();
            }
            instances.add(new PeerInstancesBuildItem.Instance(name, instance.kind(), datasource, mapping, table,
                    notify, instance.health().enabled()));
        }
        List<PeerInstancesBuildItem.Instance> database = instances.stream()
                .filter(i -> i.kind() == PeerKind.DATABASE).toList();
        if (database.stream().map(PeerInstancesBuildItem.Instance::table).distinct().count() > 1) {
            problems.add("Quarkus Peer: the database instances use different tables ("
                    + database.stream().map(i -> ConfigKeys.key(i.name(), "table") + "=" + i.table())
                            .collect(Collectors.joining(", "))
                    + "); they must share one table, which the lease entity maps");
        }
        notifyDatasourcesAgree(database, problems);
        return new PeerInstancesBuildItem(instances, problems);
    }

    /**
     * Instances whose leases are on one datasource share its listening connection, so they must name the same
     * {@code notify-datasource}, or none; no instance inherits it from another.
     */
    private static void notifyDatasourcesAgree(List<PeerInstancesBuildItem.Instance> database,
            List<String> problems) {
        Map<String, PeerInstancesBuildItem.Instance> first = new HashMap<>();
        for (PeerInstancesBuildItem.Instance instance : database) {
            if (instance.datasource().isEmpty()) {
                continue;
            }
            PeerInstancesBuildItem.Instance other = first.putIfAbsent(instance.datasource().get(), instance);
            if (other != null && !other.notifyDatasource().equals(instance.notifyDatasource())) {
                problems.add(ConfigKeys.key(instance.name(), "notify-datasource") + "="
                        + instance.notifyDatasource().orElse("(not set)") + " is invalid: the instance "
                        + other.name() + " keeps its leases on the same datasource, " + instance.datasource().get()
                        + ", and sets " + ConfigKeys.key(other.name(), "notify-datasource") + "="
                        + other.notifyDatasource().orElse("(not set)")
                        + "; instances on one datasource share its listening connection, so set the same on both");
            }
        }
    }

    /** The instances that exist, the default one first; a place that names an unknown one is a problem. */
    private static Set<String> instanceNames(PeerBuildTimeConfig config, ApplicationIndexBuildItem index,
            List<String> problems) {
        Set<String> configured = new TreeSet<>();
        for (String property : ConfigProvider.getConfig().getPropertyNames()) {
            ConfigKeys.instanceOf(property).ifPresent(configured::add);
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
        usages.places.forEach((name, places) -> {
            if (!names.contains(name)) {
                problems.add("No Quarkus Peer instance named '" + name + "' is configured, but " + places
                        + " refer to it; configure it with " + ConfigKeys.key(name, "kind")
                        + " (or any other key of that instance)");
            }
        });
        return names;
    }

    /**
     * Whether this application can run the kind: {@code global} needs its own extension, which says it is there with
     * a {@link PeerEngineBuildItem}.
     */
    private static Optional<String> kindProblem(String name, PeerKind kind, Set<PeerKind> extensionKinds) {
        if (kind == PeerKind.GLOBAL && !extensionKinds.contains(PeerKind.GLOBAL)) {
            return Optional.of(ConfigKeys.key(name, "kind") + "=global is not available: it needs the "
                    + "quarkus-peer-global extension; add the dependency io.github.quarkuspeer:quarkus-peer-global "
                    + "to the application");
        }
        return Optional.empty();
    }

    /**
     * The persistence unit that {@code persistence-unit} names, checked against the application's units; empty when
     * it is not set.
     */
    private static Optional<String> persistenceUnit(String name, InstanceBuildTimeConfig instance,
            Optional<PeerPersistenceUnitsBuildItem> units, List<String> problems) {
        if (instance.persistenceUnit().isEmpty()) {
            return Optional.empty();
        }
        String unit = instance.persistenceUnit().get();
        String key = ConfigKeys.key(name, "persistence-unit") + "=" + unit + " is invalid: ";
        if (units.isEmpty()) {
            problems.add(key + "this application has no Hibernate ORM to map the lease entity (add "
                    + "io.quarkus:quarkus-hibernate-orm, or remove the key)");
            return Optional.empty();
        }
        if (!units.get().dataSources().containsKey(unit)) {
            problems.add(key + "this application has no persistence unit of that name (it has "
                    + units.get().dataSources().keySet() + ")");
            return Optional.empty();
        }
        return Optional.of(unit);
    }

    /**
     * The datasource of a {@code database} instance: the one it names, or that of its persistence unit, or the
     * default one. Whether it is a JDBC datasource is checked once the datasources are known ({@link #plans}).
     */
    private static Optional<String> dataSource(String name, InstanceBuildTimeConfig instance, Optional<String> unit,
            Optional<PeerPersistenceUnitsBuildItem> units, List<String> problems) {
        Optional<String> ofUnit = unit.map(u -> units.orElseThrow().dataSources().get(u));
        String datasource = instance.datasource().or(() -> ofUnit).orElse(Peer.DEFAULT_INSTANCE);
        if (instance.datasource().isPresent() && ofUnit.isPresent() && !ofUnit.get().equals(datasource)) {
            problems.add(ConfigKeys.key(name, "datasource") + "=" + datasource + " is invalid: the persistence unit "
                    + unit.get() + " (" + ConfigKeys.key(name, "persistence-unit") + "), which maps the lease entity, "
                    + "uses the datasource " + ofUnit.get() + "; set " + ConfigKeys.key(name, "persistence-unit")
                    + " to a unit of that datasource");
            return Optional.empty();
        }
        return Optional.of(datasource);
    }

    /**
     * Checks that each {@code database} instance's datasource is a JDBC datasource of a database the peer supports,
     * and hands the run time one plan per instance. Fails the build with every problem found, here and before,
     * each naming its key.
     * <p>
     * One exception that lists them all, rather than a validation build item each: those are read only after
     * ArC's own validation, which would first fail on, say, an injection of an unknown instance, with a message
     * that says less.
     */
    @BuildStep
    PeerPlansBuildItem plans(PeerInstancesBuildItem instances, List<JdbcDataSourceBuildItem> dataSources) {
        Map<String, JdbcDataSourceBuildItem> jdbc = dataSources.stream()
                .collect(Collectors.toMap(JdbcDataSourceBuildItem::getName, d -> d, (a, b) -> a, TreeMap::new));
        // a set: a mistake in a key that named instances inherit is reported once
        Set<String> problems = new LinkedHashSet<>(instances.problems());
        List<InstancePlan> plans = new ArrayList<>();
        for (PeerInstancesBuildItem.Instance instance : instances.instances()) {
            Optional<String> dbKind = instance.datasource()
                    .flatMap(datasource -> dbKind(instance, datasource, jdbc, problems));
            instance.notifyDatasource().ifPresent(notify -> instance.datasource().ifPresent(
                    datasource -> notifyDataSourceProblem(instance.name(), datasource, notify, jdbc)
                            .ifPresent(problems::add)));
            plans.add(new InstancePlan(instance.name(), instance.kind(), instance.datasource(), dbKind,
                    instance.table(), instance.notifyDatasource()));
        }
        if (problems.size() == 1) {
            throw new ConfigurationException(problems.iterator().next());
        } else if (!problems.isEmpty()) {
            throw new ConfigurationException("Quarkus Peer: " + problems.size() + " configuration errors:\n  - "
                    + String.join("\n  - ", problems));
        }
        return new PeerPlansBuildItem(plans);
    }

    private static Optional<String> dbKind(PeerInstancesBuildItem.Instance instance, String datasource,
            Map<String, JdbcDataSourceBuildItem> jdbc, Set<String> problems) {
        String name = instance.name();
        if (!jdbc.containsKey(datasource)) {
            String which = ConfigKeys.raw(name, "datasource").isPresent()
                    ? ConfigKeys.key(name, "datasource") + "=" + datasource
                            + " is invalid: this application has no datasource of that name"
                    : ConfigKeys.key(name, "kind") + "=database needs a datasource, and the datasource '"
                            + datasource + "' is not configured";
            problems.add(which + " (it has " + jdbc.keySet() + "); configure one with quarkus.datasource.db-kind, "
                    + "or set " + ConfigKeys.key(name, "kind") + "=isolated");
            return Optional.empty();
        }
        String dbKind = jdbc.get(datasource).getDbKind();
        try {
            Dialect.forDbKind(dbKind);
        } catch (IllegalArgumentException e) {
            problems.add(ConfigKeys.key(name, "datasource") + "=" + datasource + " is invalid: " + e.getMessage());
            return Optional.empty();
        }
        return Optional.of(dbKind);
    }

    /**
     * A {@code notify-datasource} must be a JDBC datasource of this application, and both it and the lease datasource
     * PostgreSQL: the only database whose releases are notified.
     */
    private static Optional<String> notifyDataSourceProblem(String name, String datasource, String notify,
            Map<String, JdbcDataSourceBuildItem> jdbc) {
        String key = ConfigKeys.key(name, "notify-datasource") + "=" + notify + " is invalid: ";
        if (!jdbc.containsKey(notify)) {
            return Optional.of(key + "this application has no JDBC datasource of that name (it has " + jdbc.keySet()
                    + ")");
        }
        for (String which : List.of(datasource, notify)) {
            if (!jdbc.containsKey(which)) {
                continue; // the lease datasource's own problem is reported under its key
            }
            String kind = jdbc.get(which).getDbKind();
            if (!DatabaseKind.isPostgreSQL(kind)) {
                return Optional.of(key + "only PostgreSQL notifies released leases (LISTEN/NOTIFY), and the datasource "
                        + which + (which.equals(datasource) ? ", which holds the leases," : "") + " is " + kind);
            }
        }
        return Optional.empty();
    }

    /** The persistence units of a datasource: the lease entity joins each of them. */
    private static Set<String> unitsOf(Optional<String> datasource, Optional<PeerPersistenceUnitsBuildItem> units) {
        if (datasource.isEmpty() || units.isEmpty()) {
            return Set.of();
        }
        return units.get().dataSources().entrySet().stream().filter(e -> e.getValue().equals(datasource.get()))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
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
    void peerBeans(PeerRecorder recorder, PeerPlansBuildItem plans, BuildProducer<SyntheticBeanBuildItem> beans) {
        beans.produce(SyntheticBeanBuildItem.configure(PeerSetup.class).scope(Singleton.class).unremovable()
                .supplier(recorder.setup(plans.plans())).done());
        for (InstancePlan plan : plans.plans()) {
            String name = plan.instance();
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
                beans.produce(SyntheticBeanBuildItem.configure(HEALTH_CHECK_IMPL).addType(HEALTH_CHECK)
                        .addQualifier(READINESS).scope(Singleton.class).unremovable()
                        .identifier("peer-health-" + instance.name())
                        .supplier(recorder.check(instance.name())).done());
            }
        }
    }
}
