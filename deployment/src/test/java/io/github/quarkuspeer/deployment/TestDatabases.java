package io.github.quarkuspeer.deployment;

import io.quarkus.test.QuarkusUnitTest;

/** The shared PostgreSQL server on this machine, as QuarkusUnitTest configuration. */
final class TestDatabases {

    static final String PG_URL = System.getProperty("peer.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String PG_USER = System.getProperty("peer.test.pg.user", "postgres");

    private TestDatabases() {
    }

    /**
     * An application of the given classes whose default datasource is the shared PostgreSQL, with a lease table of
     * the test's own.
     */
    static QuarkusUnitTest postgres(String table, Class<?>... classes) {
        return new QuarkusUnitTest()
                .withApplicationRoot(jar -> jar.addClass(TestDatabases.class).addClasses(classes))
                .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
                .overrideConfigKey("quarkus.datasource.jdbc.url", PG_URL)
                .overrideConfigKey("quarkus.datasource.username", PG_USER)
                .overrideConfigKey("quarkus.devservices.enabled", "false")
                .overrideConfigKey("quarkus.peer.table", table);
    }
}
