package io.github.quarkuspeer.runtime.database;

class MariaDbLateStatementTest extends LateStatementTest {

    @Override
    TestDatabase openDatabase() {
        return TestDatabase.mariadb();
    }
}
