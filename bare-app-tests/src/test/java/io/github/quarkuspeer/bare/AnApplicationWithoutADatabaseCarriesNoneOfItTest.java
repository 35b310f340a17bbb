package io.github.quarkuspeer.bare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.quarkus.test.QuarkusUnitTest;

/**
 * An application whose instances are all {@code isolated} needs no datasource: with quarkus-peer alone it builds and
 * starts, has no Agroal, Hibernate ORM, Micrometer or MicroProfile Health on its class path, and nothing logs from
 * them, at build time or at run time.
 */
class AnApplicationWithoutADatabaseCarriesNoneOfItTest {

    static final List<String> FOREIGN = List.of("io.agroal", "io.quarkus.agroal", "io.quarkus.datasource",
            "org.hibernate", "io.quarkus.hibernate", "io.micrometer", "io.quarkus.micrometer");

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"reports\".kind", "isolated")
            .overrideConfigKey("quarkus.peer.\"reports\".isolated.leader", "false")
            .setLogRecordPredicate(record -> true)
            .assertLogRecords(AnApplicationWithoutADatabaseCarriesNoneOfItTest::nothingFromADatabaseLibrary);

    @Inject
    Peer peer;

    @Inject
    @Named("reports")
    Peer reports;

    @Test
    void thePeersAnswer() {
        assertThat(peer.isLeader()).isTrue();
        assertThat(reports.isLeader()).isFalse();
    }

    @Test
    void noDatabaseLibraryIsOnTheClassPath() {
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        for (String type : List.of("io.agroal.api.AgroalDataSource", "io.quarkus.agroal.DataSource",
                "org.hibernate.Session", "io.quarkus.hibernate.orm.panache.PanacheEntityBase",
                "io.micrometer.core.instrument.MeterRegistry", "org.eclipse.microprofile.health.HealthCheck")) {
            assertThatThrownBy(() -> Class.forName(type, false, application)).as(type)
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }

    static void nothingFromADatabaseLibrary(List<LogRecord> records) {
        assertThat(records).as("log records").isNotEmpty();
        assertThat(records).filteredOn(record -> record.getLoggerName() != null
                && FOREIGN.stream().anyMatch(record.getLoggerName()::startsWith))
                .extracting(LogRecord::getMessage).isEmpty();
    }
}
