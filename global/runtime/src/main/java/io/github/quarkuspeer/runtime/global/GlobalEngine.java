package io.github.quarkuspeer.runtime.global;

import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.ElectionPeer;
import io.github.quarkuspeer.runtime.InstanceSettings;
import io.github.quarkuspeer.runtime.ManagedPeer;
import io.github.quarkuspeer.runtime.PeerEngine;
import io.github.quarkuspeer.runtime.PeerKind;
import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The {@code global} kind in a Quarkus application: {@link GlobalPeers} on the application's Vert.x, registered by the
 * build only when some instance uses the kind.
 */
@Singleton
public class GlobalEngine implements PeerEngine {

    private final GlobalPeerConfig config;
    private final GlobalPeers peers;

    GlobalEngine(Vertx vertx, GlobalPeerConfig config, Instance<ClaimListener> claimListeners) {
        this.config = config;
        ClaimListener claims = claimListeners.isResolvable() ? claimListeners.get() : ClaimListener.NONE;
        Context background = vertx.getOrCreateContext();
        this.peers = new GlobalPeers(new GlobalPeers.Options(
                () -> new VertxScheduling(vertx, vertx.getOrCreateContext()),
                task -> background.executeBlocking(() -> {
                    task.run();
                    return null;
                }, false), claims, RaftMember.Hooks.NONE));
    }

    @Override
    public PeerKind kind() {
        return PeerKind.GLOBAL;
    }

    @Override
    public ManagedPeer add(InstanceSettings settings, Election.Listener events) {
        return new ElectionPeer(peers.add(global(settings), events), PeerKind.GLOBAL);
    }

    private GlobalSettings global(InstanceSettings settings) {
        return GlobalSettings.resolve(settings, config.instances().get(settings.instance()).global(),
                config.instances().get(Peer.DEFAULT_INSTANCE).global());
    }

    @Override
    public String describe(InstanceSettings settings) {
        GlobalSettings global = global(settings);
        return "members " + global.members().stream().map(m -> m.name() + "@" + m.host() + ":" + m.port())
                .collect(java.util.stream.Collectors.joining(",")) + ", data directory " + global.directory()
                + (settings.candidate() ? "" : ", not a candidate");
    }

    @Override
    public CompletableFuture<Void> start() {
        try {
            return peers.start();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        peers.stop();
    }
}
