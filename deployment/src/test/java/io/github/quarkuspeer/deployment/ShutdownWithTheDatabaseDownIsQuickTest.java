package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.FreePorts;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.PeerStatuses;
import io.quarkus.test.QuarkusUnitTest;

/**
 * A node that never reached its database holds no lease, so it releases none when it stops: the stop does not wait
 * on the unreachable database once per instance. The database here accepts connections and never answers, so that
 * each attempt to get a connection waits for the pool's acquisition timeout.
 */
class ShutdownWithTheDatabaseDownIsQuickTest {

    static final int PORT = freePort();
    static final List<Socket> HELD = new CopyOnWriteArrayList<>();
    static ServerSocket silent;

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .setBeforeAllCustomizer(ShutdownWithTheDatabaseDownIsQuickTest::startSilentServer)
            .setAfterAllCustomizer(ShutdownWithTheDatabaseDownIsQuickTest::stopSilentServer)
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
            .overrideConfigKey("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + PORT + "/test")
            .overrideConfigKey("quarkus.datasource.jdbc.acquisition-timeout", "2s")
            .overrideConfigKey("quarkus.datasource.username", "postgres")
            .overrideConfigKey("quarkus.peer.node", "node-down")
            .overrideConfigKey("quarkus.peer.interval", "2s")
            .overrideConfigKey("quarkus.peer.\"billing\".kind", "database")
            .overrideConfigKey("quarkus.peer.\"reports\".kind", "database")
            .setAfterUndeployListener(ShutdownWithTheDatabaseDownIsQuickTest::stoppedQuickly);

    @Inject
    Peer peer;

    @Inject
    @Named("billing")
    Peer billing;

    @Inject
    PeerStatuses statuses;

    @Test
    void theElectionsFailAndNothingLeads() {
        await().atMost(Duration.ofSeconds(30)).until(() -> statuses.statuses().stream()
                .allMatch(status -> status.lastError().isPresent()));
        assertThat(peer.isLeader()).isFalse();
        assertThat(billing.isLeader()).isFalse();
        System.setProperty("peer.test.down.stopping", Long.toString(System.nanoTime()));
    }

    /** A server that accepts every connection and never says a word. */
    static void startSilentServer() {
        try {
            silent = new ServerSocket(PORT, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accepting = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    HELD.add(silent.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-database");
        accepting.setDaemon(true);
        accepting.start();
    }

    static void stopSilentServer() {
        try {
            silent.close();
            for (Socket socket : HELD) {
                socket.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        return FreePorts.pick();
    }

    static void stoppedQuickly() {
        long stopping = Long.parseLong(System.getProperty("peer.test.down.stopping"));
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).as("from the last test to the end of the stop")
                .isLessThan(Duration.ofSeconds(3));
    }
}
