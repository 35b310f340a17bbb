package io.github.quarkuspeer.runtime.database;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

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

    private final Vertx vertx;
    private final DatabasePeers peers;
    private WorkerExecutor listening;

    DatabaseEngine(Vertx vertx, Instance<ClaimListener> claimListeners) {
        this.vertx = vertx;
        ClaimListener claims = claimListeners.isResolvable() ? claimListeners.get() : ClaimListener.NONE;
        this.peers = new DatabasePeers(new DatabasePeers.Options(
                () -> new VertxScheduling(vertx, vertx.getOrCreateContext()), this::listen, true, claims,
                store -> store, java.util.Optional.empty()));
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
        Election election = peers.add(new DatabasePeers.Spec(settings.instance(), settings.node(),
                settings.candidate(), Timing.of(settings.interval(), settings.lease()), name, dataSource,
                Dialect.forDbKind(settings.plan().dbKind().orElseThrow()), settings.table(),
                settings.schemaManagement()), events);
        return new ElectionPeer(election, PeerKind.DATABASE, peers::resign);
    }

    @Override
    public String describe(InstanceSettings settings) {
        return "table " + settings.table() + " on datasource " + settings.datasource() + " ("
                + settings.plan().dbKind().orElseThrow() + "), schema-management "
                + settings.schemaManagement().name().toLowerCase(java.util.Locale.ROOT)
                + (settings.candidate() ? "" : ", not a candidate");
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
