package io.github.quarkuspeer.runtime.database;

class PostgresLateStatementTest extends LateStatementTest {

    @Override
    TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
