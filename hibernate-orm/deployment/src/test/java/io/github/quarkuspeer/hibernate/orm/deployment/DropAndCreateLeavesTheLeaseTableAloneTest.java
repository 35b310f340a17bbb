package io.github.quarkuspeer.hibernate.orm.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.test.QuarkusUnitTest;

/**
 * {@code schema-management.strategy=drop-and-create} drops and creates the application's own tables at every start,
 * and never the lease table: a lease that another node holds survives the start and the stop, and so does the token
 * sequence.
 */
class DropAndCreateLeavesTheLeaseTableAloneTest {

    static final String TABLE = "peers_drop_and_create";

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.postgres(TABLE, Note.class)
            .setBeforeAllCustomizer(() -> anotherNodeHoldsALease(TABLE))
            .overrideConfigKey("quarkus.hibernate-orm.schema-management.strategy", "drop-and-create")
            .overrideConfigKey("quarkus.peer.node", "node-d")
            .overrideConfigKey("quarkus.peer.interval", "2s")
            .setAfterUndeployListener(DropAndCreateLeavesTheLeaseTableAloneTest::afterStop);

    @Inject
    Peer peer;

    /** Makes the lease table, if absent, with a lease that another node holds for an hour. */
    static void anotherNodeHoldsALease(String table) {
        List<String> ddl = new ArrayList<>();
        for (String statement : TestDatabases.shipped("META-INF/quarkus-peer/ddl/postgresql.sql")
                .replaceAll("(?m)^--.*$", "").split(";")) {
            if (!statement.isBlank()) {
                ddl.add(statement.replace("quarkus_peers", table));
            }
        }
        ddl.add("DELETE FROM " + table + " WHERE name = 'held-elsewhere'");
        ddl.add("INSERT INTO " + table + " (name, node, owner, fencing_token, started_at, expires_at) VALUES "
                + "('held-elsewhere', 'other-node', 'other-owner', nextval('" + table + "_seq'), now(), "
                + "now() + interval '1 hour')");
        TestDatabases.onPostgres(ddl.toArray(String[]::new));
    }

    @Test
    void theApplicationsTablesAreRecreatedAndTheLeaseTableIsNot() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        assertThat(TestDatabases.queryPostgres("SELECT count(*) FROM peers_test_note")).isZero();
        assertThat(heldElsewhere()).as("the other node's lease").isEqualTo(1);
        assertThat(TestDatabases.queryPostgres("SELECT count(*) FROM " + TABLE + " WHERE name = '<default>'"))
                .isEqualTo(1);
        assertThat(peer.fencingToken().getAsLong()).as("the sequence went on")
                .isGreaterThan(TestDatabases.queryPostgres(
                        "SELECT fencing_token FROM " + TABLE + " WHERE name = 'held-elsewhere'"));
    }

    static void afterStop() {
        assertThat(heldElsewhere()).as("the other node's lease after the stop").isEqualTo(1);
        TestDatabases.onPostgres("DELETE FROM " + TABLE + " WHERE name = 'held-elsewhere'");
    }

    static long heldElsewhere() {
        return TestDatabases.queryPostgres("SELECT count(*) FROM " + TABLE + " WHERE name = 'held-elsewhere' "
                + "AND node = 'other-node' AND expires_at > now()");
    }
}
