package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.TestDatabases;
import io.github.quarkuspeer.testing.ConfigFailures;
import io.quarkus.test.QuarkusUnitTest;

/**
 * {@code schema-management=validate} on a lease table that lacks a column and its sequence fails the start, naming
 * the table, the database (a JDBC catalog on MariaDB) and each thing that is wrong. The application's own Flyway
 * migration makes the faulty table, before the peer starts.
 */
class ValidateOnATableWithoutAColumnFailsStartTest {

    static final String DATABASE = "quarkus_peer_faulty";

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.mariadb(DATABASE)
            .withApplicationRoot(jar -> jar.addAsResource(new StringAsset("CREATE TABLE quarkus_peers (name VARCHAR(255) NOT NULL PRIMARY KEY, "
                            + "node VARCHAR(255) NOT NULL, owner VARCHAR(64) NOT NULL, fencing_token BIGINT NOT NULL, "
                            + "expires_at DATETIME(6) NOT NULL);"), "db/migration/V1__faulty_peers.sql"))
            .overrideConfigKey("quarkus.flyway.migrate-at-start", "true")
            .overrideConfigKey("quarkus.peer.schema-management", "validate")
            .assertException(failure -> assertThat(ConfigFailures.messages(failure))
                    .contains("table 'quarkus_peers' of database '" + DATABASE + "' is not a valid lease table")
                    .contains("column 'started_at' is missing")
                    .contains("sequence 'quarkus_peers_seq' is missing"))
            .setAfterUndeployListener(() -> TestDatabases.dropMariaDbDatabase(DATABASE));

    @Test
    void fails() {
        // asserted by assertException
    }
}
