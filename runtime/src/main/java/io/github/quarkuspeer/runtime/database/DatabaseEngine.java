package io.github.quarkuspeer.runtime.database;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.github.quarkuspeer.runtime.ConfigKeys;
import io.github.quarkuspeer.runtime.ElectionPeer;
import io.github.quarkuspeer.runtime.InstanceSettings;
import io.github.quarkuspeer.runtime.ManagedPeer;
import io.github.quarkuspeer.runtime.PeerEngine;
import io.github.quarkuspeer.runtime.PeerKind;
import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * The {@code database} kind in a Quarkus application: {@link DatabasePeers} on the application's Agroal datasources
 * and Vert.x, registered by the build only when some instance uses the kind.
 */
@Singleton
public class DatabaseEngine implements PeerEngine {

    private static final Logger LOG = Logger.getLogger(DatabaseEngine.class);

    private final Vertx vertx;
    private final DatabasePeers peers;
    private final Set<String> inactiveNotifyDatasources = new HashSet<>();
    private WorkerExecutor listening;

    DatabaseEngine(Vertx vertx, Instance<ClaimListener> claimListeners) {
        this.vertx = vertx;
        ClaimListener claims = claimListeners.isResolvable() ? claimListeners.get() : ClaimListener.NONE;
        this.peers = new DatabasePeers(new DatabasePeers.Options(
                () -> new VertxScheduling(vertx, vertx.getOrCreateContext()), this::listen, true, claims,
                store -> store, Optional.empty()));
    }

    /** Runs a {@code LISTEN} loop on a worker executor of its own, since it blocks for the application's life. */
    private synchronized void listen(Runnable loop) {
        if (listening == null) {
            listening = vertx.createSharedWorkerExecutor("quarkus-peer-listener", 4, Long.MAX_VALUE / 2,
                    TimeUnit.NANOSECONDS);
        }
        listening.executeBlocking(() -> {
            loop.run();
            return null;
        }, false);
    }

    @Override
    public PeerKind kind() {
        return PeerKind.DATABASE;
    }

    @Override
    public ManagedPeer add(InstanceSettings settings, Election.Listener events) {
        String name = settings.datasource();
        AgroalDataSource dataSource;
        try {
            dataSource = AgroalDataSourceUtil.dataSourceIfActive(name).orElseThrow(
                    () -> new ConfigurationException(ConfigKeys.key(settings.instance(), "datasource") + "=" + name
                            + " is invalid: that datasource is not active"));
        } catch (ConfigurationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigurationException(ConfigKeys.key(settings.instance(), "datasource") + "=" + name
                    + " is invalid: " + e.getMessage(), e);
        }
        String notifyName = settings.plan().notifyDatasource().orElse(name);
        Optional<AgroalDataSource> notify = notifyName.equals(name) ? Optional.empty()
                : notifyDataSource(notifyName, name);
        Election election = peers.add(new DatabasePeers.Spec(settings.instance(), settings.node(),
                settings.candidate(), Timing.of(settings.interval(), settings.lease()), name, dataSource,
                Dialect.forDbKind(settings.plan().dbKind().orElseThrow()), settings.table(),
                settings.schemaManagement(), notify.isPresent() ? notifyName : name,
                notify.isPresent() ? notify.get() : dataSource), events);
        return new ElectionPeer(election, PeerKind.DATABASE, peers::resign);
    }

    @Override
    public String describe(InstanceSettings settings) {
        return "table " + settings.table() + " on datasource " + settings.datasource() + " ("
                + settings.plan().dbKind().orElseThrow() + "), schema-management "
                + settings.schemaManagement().name().toLowerCase(java.util.Locale.ROOT)
                + (settings.candidate() ? "" : ", not a candidate");
    }

    /**
     * The datasource named by {@code notify-datasource} if it is active; when it is not (no URL, or
     * {@code active=false}), the node listens on the lease datasource: one build then serves a deployment behind a
     * pooler in transaction mode, which gives that datasource a URL, and one without, which need not.
     */
    private Optional<AgroalDataSource> notifyDataSource(String notifyName, String leaseName) {
        Optional<AgroalDataSource> active = AgroalDataSourceUtil.dataSourceIfActive(notifyName);
        if (active.isEmpty() && inactiveNotifyDatasources.add(notifyName)) {
            LOG.infof("Quarkus Peer: datasource %s (notify-datasource) is not active, so this node listens for "
                    + "released leases on datasource %s", notifyName, leaseName);
        }
        return active;
    }

    @Override
    public CompletableFuture<Void> start() {
        return peers.start();
    }

    @Override
    public void stop() {
        peers.stop();
        WorkerExecutor executor;
        synchronized (this) {
            executor = listening;
            listening = null;
        }
        if (executor != null) {
            executor.close();
        }
    }
}
