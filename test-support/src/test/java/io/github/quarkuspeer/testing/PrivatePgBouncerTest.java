package io.github.quarkuspeer.testing;

import static io.github.quarkuspeer.testing.Jdbc.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.testing.PrivatePgBouncer.PoolMode;

/** Proves that {@link PrivatePgBouncer} really stands in front of the given server, not as root, and goes away. */
class PrivatePgBouncerTest {

    @Test
    void reportsTheInstalledVersion() {
        assertThat(PrivatePgBouncer.version()).startsWith("PgBouncer 1.");
    }

    @Test
    void startsInFrontOfTheServerAsANonRootUserAndStopsOnClose() throws Exception {
        try (PrivatePostgres server = PrivatePostgres.start()) {
            PrivatePgBouncer bouncer = PrivatePgBouncer.start(server, PoolMode.TRANSACTION);
            Path dir = bouncer.logFile().getParent();
            long pid;
            try {
                assertThat(bouncer.port()).isNotIn(server.port(), 5432, 6432);
                assertThat(queryString(bouncer.jdbcUrl(), "select inet_server_port()"))
                        .isEqualTo(String.valueOf(server.port()));
                pid = Long.parseLong(Files.readString(dir.resolve("pgbouncer.pid")).trim());
                assertThat(Files.readString(Paths.get("/proc", String.valueOf(pid), "status")))
                        .as("PgBouncer runs as a user other than root")
                        .containsPattern("(?m)^Uid:\\s+[1-9]");
                assertThat(Files.readString(bouncer.logFile())).contains("process up: PgBouncer");
            } finally {
                bouncer.close();
            }
            assertThat(ProcessHandle.of(pid).filter(ProcessSupport::isRunning)).isEmpty();
            assertThat(ProcessSupport.portAccepts(bouncer.port())).isFalse();
            assertThat(dir).doesNotExist();
            assertThatThrownBy(() -> queryString(bouncer.jdbcUrl(), "select 1")).isInstanceOf(SQLException.class);
            bouncer.close(); // a second close is harmless
        }
    }
}
