package io.github.quarkuspeer.deployment.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.logging.Level;

import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An application whose instances are all global or isolated: it has no datasource and no JDBC driver, builds and
 * starts, leads through its Raft groups (two instances, each a group of its own), and logs nothing from Hibernate ORM
 * or Agroal, and no warning about unknown {@code quarkus.peer.*.global.*} keys.
 */
class GlobalInstancesWithoutADatasourceTest {

    private static final String DATA = "target/global-without-datasource-" + ProcessHandle.current().pid();

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "global")
            .overrideConfigKey("quarkus.peer.node", "solo")
            .overrideConfigKey("quarkus.peer.interval", "2s")
            .overrideConfigKey("quarkus.peer.global.members", "solo@127.0.0.1:" + freePort())
            .overrideConfigKey("quarkus.peer.global.data-dir", DATA)
            .overrideConfigKey("quarkus.peer.reports.kind", "global")
            .overrideConfigKey("quarkus.peer.reports.global.members", "solo@127.0.0.1:" + freePort())
            .overrideConfigKey("quarkus.peer.audit.kind", "isolated")
            .setLogRecordPredicate(record -> record.getLoggerName().startsWith("org.hibernate")
                    || record.getLoggerName().startsWith("io.agroal")
                    || record.getLoggerName().startsWith("io.quarkus.hibernate")
                    || record.getLoggerName().startsWith("io.quarkus.agroal")
                    || record.getLoggerName().startsWith("io.quarkus.datasource")
                    || record.getLevel().intValue() >= Level.WARNING.intValue()
                    || record.getMessage().contains("Unrecognized configuration key"))
            .assertLogRecords(records -> assertThat(records)
                    .as("log records from Hibernate ORM or Agroal, and warnings")
                    .extracting(r -> r.getLoggerName() + ": " + r.getMessage())
                    .isEmpty());

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Inject
    Peer peer;

    @Inject
    @Named("reports")
    Peer reports;

    @Test
    void bothGlobalInstancesLeadThroughTheirOwnGroups() {
        await().atMost(Duration.ofSeconds(20)).until(() -> peer.isLeader() && reports.isLeader());
        assertThat(peer.getLeader()).contains("solo");
        assertThat(peer.fencingToken()).isPresent();
        assertThat(reports.fencingToken()).isPresent();
    }
}
