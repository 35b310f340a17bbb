package io.github.quarkuspeer.deployment.global;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.quarkus.test.QuarkusUnitTest;

/** A stack file with REDIRECT fails the start, naming the key, the file and the protocol. */
class StackWithRedirectFailsStartTest {

    private static final Path STACK = write();

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withEmptyApplication()
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.peer.kind", "global")
            .overrideConfigKey("quarkus.peer.node", "n1")
            .overrideConfigKey("quarkus.peer.global.members", "n1@127.0.0.1:7801")
            .overrideConfigKey("quarkus.peer.global.stack", STACK.toString())
            .assertException(failure -> assertThat(Failures.messages(failure))
                    .contains("quarkus.peer.global.stack=" + STACK + " is invalid")
                    .contains("holds REDIRECT"));

    private static Path write() {
        try {
            Path file = Files.createTempFile("stack-with-redirect", ".xml");
            file.toFile().deleteOnExit();
            Files.writeString(file, """
                    <config xmlns="urn:org:jgroups">
                      <TCP bind_addr="127.0.0.1" bind_port="7801" port_range="0"/>
                      <TCPPING initial_hosts="127.0.0.1[7801]" port_range="0"/>
                      <pbcast.NAKACK2/>
                      <UNICAST3/>
                      <pbcast.GMS/>
                      <raft.ELECTION/>
                      <raft.RAFT members="n1" raft_id="n1"/>
                      <raft.REDIRECT/>
                    </config>
                    """);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void fails() {
        // asserted by assertException
    }
}
