package io.github.quarkuspeer.runtime.database;

/** The conformance suite on the shared PostgreSQL server. */
class PostgresConformanceTest extends LeaseConformanceTest {

    @Override
    TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
