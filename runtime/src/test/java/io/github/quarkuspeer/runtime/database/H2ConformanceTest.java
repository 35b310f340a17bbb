package io.github.quarkuspeer.runtime.database;

/** The conformance suite on H2, in memory. */
class H2ConformanceTest extends LeaseConformanceTest {

    @Override
    TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
