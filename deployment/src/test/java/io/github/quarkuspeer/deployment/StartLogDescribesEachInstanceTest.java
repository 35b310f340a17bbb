package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.quarkus.test.QuarkusUnitTest;

/**
 * At start the peer logs one line per instance, with what a named instance took from the default one, and warns
 * once of a run-time key that names an instance the application does not have.
 */
class StartLogDescribesEachInstanceTest {

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "isolated")
            .overrideConfigKey("quarkus.peer.billing.kind", "isolated")
            .overrideRuntimeConfigKey("quarkus.peer.node", "n1")
            .overrideRuntimeConfigKey("quarkus.peer.interval", "7s")
            .overrideRuntimeConfigKey("quarkus.peer.lease-duration", "9s")
            // a typo of an operator, set only when the application runs
            .overrideRuntimeConfigKey("quarkus.peer.\"biling\".interval", "5s")
            .setLogRecordPredicate(record -> record.getLoggerName().startsWith("io.github.quarkuspeer"))
            .assertLogRecords(StartLogDescribesEachInstanceTest::check);

    @Inject
    @Named("billing")
    Peer billing;

    @Test
    void aNamedInstanceTakesTheDefaultInstancesNode() {
        assertThat(billing.node()).isEqualTo("n1");
    }

    static void check(List<LogRecord> records) {
        List<String> lines = records.stream().map(r -> String.format(r.getMessage(), r.getParameters())).toList();
        assertThat(lines).contains(
                "Quarkus Peer: instance <default> is isolated on node n1: a fixed answer, leader=true, interval 7s, "
                        + "lease 9s",
                "Quarkus Peer: instance billing is isolated on node n1: a fixed answer, leader=true, interval 7s, "
                        + "lease 9s");
        List<LogRecord> warnings = records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .toList();
        assertThat(warnings).singleElement().satisfies(warning -> assertThat(
                String.format(warning.getMessage(), warning.getParameters()))
                .contains("quarkus.peer.\"biling\".interval names no instance of this application")
                .contains("[<default>, billing]"));
    }
}
