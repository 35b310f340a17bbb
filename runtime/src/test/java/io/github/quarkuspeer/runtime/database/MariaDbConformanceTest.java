package io.github.quarkuspeer.runtime.database;

/** The conformance suite on the shared MariaDB server. */
class MariaDbConformanceTest extends LeaseConformanceTest {

    @Override
    TestDatabase openDatabase() {
        return TestDatabase.mariadb();
    }
}
