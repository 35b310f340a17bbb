package io.github.quarkuspeer.runtime.global;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.github.quarkuspeer.runtime.ConfigKeys;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The {@code global} kind on one node: for each instance, this node's member of the instance's Raft group, the lease
 * store over it, and the instance's election. The runtime, the tests and the benchmarks all build their nodes with it.
 *
 * <pre>{@code
 * GlobalPeers peers = new GlobalPeers(GlobalPeers.Options.of(() -> scheduling, executor));
 * Election jobs = peers.add(settings, listener);  // settings from GlobalSettings.resolve(...)
 * peers.start();   // locks the data directories, joins the groups, starts the elections
 * ...
 * peers.stop();    // releases what this node leads, then leaves the groups
 * }</pre>
 */
public final class GlobalPeers {

    private static final Logger LOG = Logger.getLogger(GlobalPeers.class);
    /** How long the start waits for a member with an empty directory to be admitted or refused. */
    private static final Duration ADMISSION_WAIT = Duration.ofSeconds(2);

    /**
     * How this node runs its groups.
     *
     * @param scheduling a new scheduling (timers and worker threads) for each election
     * @param background runs the blocking work of a member that leaves and rejoins its group
     * @param claims hears every claim of leadership (tests keep histories with it)
     * @param hooks reach into the members (tests only)
     */
    public record Options(Supplier<Election.Scheduling> scheduling, Executor background, ClaimListener claims,
            RaftMember.Hooks hooks) {

        /** Production options: no claim listener, no hooks. */
        public static Options of(Supplier<Election.Scheduling> scheduling, Executor background) {
            return new Options(scheduling, background, ClaimListener.NONE, RaftMember.Hooks.NONE);
        }
    }

    private record Instance(RaftMember member, Election election) {
    }

    private final Options options;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private boolean started;

    public GlobalPeers(Options options) {
        this.options = options;
    }

    /**
     * Adds an instance; its member joins and its election starts with {@link #start()}.
     *
     * @throws ConfigurationException if it shares its directory or its address with an instance added before
     */
    public synchronized Election add(GlobalSettings settings, Election.Listener listener) {
        if (started) {
            throw new IllegalStateException("instances are added before the start");
        }
        for (Instance other : instances.values()) {
            GlobalSettings added = other.member().settings();
            if (added.directory().equals(settings.directory())) {
                throw new ConfigurationException(ConfigKeys.key(settings.instance(), "global.data-dir") + " is "
                        + "invalid: instance " + settings.instance() + " would keep its log in " + settings.directory()
                        + ", which instance " + added.instance() + " uses; give each a data directory of its own");
            }
            if (added.self().port() == settings.self().port() && added.self().host().equals(settings.self().host())) {
                throw new ConfigurationException(ConfigKeys.key(settings.instance(), "global.members") + " is "
                        + "invalid: this node's address " + settings.self() + " is also its address in "
                        + ConfigKeys.key(added.instance(), "global.members") + "; each instance is a group of its "
                        + "own, on ports of its own");
            }
        }
        RaftMember member = new RaftMember(settings, System::nanoTime, options.background(), options.hooks());
        RaftLeaseStore store = new RaftLeaseStore(member, settings.lease(), settings.candidate(), System::nanoTime);
        Election election = new Election(settings.instance(), settings.node(), settings.candidate(),
                settings.timing(), store, options.scheduling().get(), listener, System::nanoTime);
        election.claimListener(options.claims());
        instances.put(settings.instance(), new Instance(member, election));
        return election;
    }

    /**
     * Joins every group and starts every election.
     *
     * @return completes once every election has ended its first round
     * @throws IllegalStateException naming the node if a data directory or an address is taken, or a member with an
     *         empty directory is refused by a group that has history
     */
    public synchronized CompletableFuture<Void> start() throws Exception {
        started = true;
        List<RaftMember> opened = new ArrayList<>();
        try {
            for (Instance instance : instances.values()) {
                instance.member().open();
                opened.add(instance.member());
            }
            for (Instance instance : instances.values()) {
                instance.member().awaitAdmission(ADMISSION_WAIT);
            }
        } catch (Exception | Error e) {
            opened.forEach(RaftMember::close);
            throw e;
        }
        List<CompletableFuture<Void>> firstRounds = new ArrayList<>();
        for (Instance instance : instances.values()) {
            Election election = instance.election();
            instance.member().onChange(() -> election.wake(true));
            firstRounds.add(election.start());
        }
        return CompletableFuture.allOf(firstRounds.toArray(CompletableFuture[]::new));
    }

    /**
     * Releases every instance this node leads (its release entry committed, so that the next Raft leader leads at
     * once), then leaves every group. Returns when done, or after a bound: two commits of the slowest instance (one in
     * flight, the release) and a second.
     */
    public void stop() {
        List<CompletableFuture<?>> releases = new ArrayList<>();
        long bound = 1_000;
        List<Instance> all;
        synchronized (this) {
            all = List.copyOf(instances.values());
        }
        for (Instance instance : all) {
            releases.add(instance.election().release());
            bound = Math.max(bound, 1_000 + 2 * RaftLeaseStore.commitTimeoutOf(instance.member().settings().lease())
                    .toMillis());
        }
        try {
            CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).get(bound, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("Quarkus Peer: releasing the leases took longer than %d ms; the rest expire by themselves", bound);
        } catch (Exception e) {
            LOG.debugf("Quarkus Peer: waiting for the releases failed (%s)", e.toString());
        }
        for (Instance instance : all) {
            instance.member().close();
        }
    }

    /** The elections, in the order they were added. */
    public synchronized List<Election> elections() {
        return instances.values().stream().map(Instance::election).toList();
    }

    /** This node's member of an instance's group. */
    public synchronized RaftMember member(String instance) {
        Instance found = instances.get(instance);
        if (found == null) {
            throw new IllegalArgumentException("no global instance " + instance);
        }
        return found.member();
    }

    /** The election of an instance. */
    public synchronized Election election(String instance) {
        Instance found = instances.get(instance);
        if (found == null) {
            throw new IllegalArgumentException("no global instance " + instance);
        }
        return found.election();
    }
}
