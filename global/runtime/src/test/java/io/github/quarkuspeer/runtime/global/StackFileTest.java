package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * A {@code stack} file replaces the built-in stack, but may hold neither REDIRECT (a deposed leader's renewal would be
 * committed under the new leader) nor CLIENT (unauthenticated commands), and must hold RAFT and an election protocol.
 * One that passes runs a member that leads.
 */
class StackFileTest {

    @TempDir
    Path directory;

    private Path stack(String name, int port, String extra) throws IOException {
        Path file = directory.resolve(name + ".xml");
        Files.writeString(file, """
                <config xmlns="urn:org:jgroups">
                  <TCP bind_addr="127.0.0.1" bind_port="%d" port_range="0"/>
                  <TCPPING initial_hosts="127.0.0.1[%d]" port_range="0"/>
                  <MERGE3/>
                  <FD_ALL3 timeout="1000" interval="250"/>
                  <VERIFY_SUSPECT2 timeout="500"/>
                  <pbcast.NAKACK2 use_mcast_xmit="false"/>
                  <UNICAST3/>
                  <pbcast.STABLE/>
                  <raft.NO_DUPES/>
                  <pbcast.GMS join_timeout="500"/>
                  <FRAG4/>
                  <raft.ELECTION/>
                  %s
                  <raft.RAFT members="solo" raft_id="solo"/>
                </config>
                """.formatted(port, port, extra));
        return file;
    }

    @Test
    void aStackWithRedirectIsRefusedNamingTheKeyTheFileAndTheProtocol() throws IOException {
        Path file = stack("redirect", 7999, "<raft.REDIRECT/>");
        assertThatThrownBy(() -> Stack.validate("quarkus.peer.global.stack", file))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("quarkus.peer.global.stack=" + file)
                .hasMessageContaining("holds REDIRECT");
    }

    @Test
    void aStackWithClientIsRefused() throws IOException {
        Path file = stack("client", 7999, "<raft.CLIENT/>");
        assertThatThrownBy(() -> Stack.validate("quarkus.peer.global.stack", file))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("holds CLIENT");
    }

    @Test
    void aStackWithoutRaftIsRefused() throws IOException {
        Path file = directory.resolve("plain.xml");
        Files.writeString(file, """
                <config xmlns="urn:org:jgroups">
                  <TCP bind_addr="127.0.0.1" bind_port="7999"/>
                  <pbcast.GMS/>
                </config>
                """);
        assertThatThrownBy(() -> Stack.validate("quarkus.peer.global.stack", file))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("needs RAFT and ELECTION");
    }

    @Test
    void aStackWithAnotherSubclassOfRaftIsRefused() throws IOException {
        Path file = stack("own-raft", 7999, "");
        Files.writeString(file, Files.readString(file).replace("<raft.RAFT ",
                "<" + OwnRaft.class.getName() + " "));
        assertThatThrownBy(() -> Stack.validate("quarkus.peer.global.stack", file))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("quarkus.peer.global.stack=" + file)
                .hasMessageContaining(OwnRaft.class.getName()).hasMessageContaining("write raft.RAFT");
    }

    @Test
    void aMissingFileIsRefused() {
        Path file = directory.resolve("missing.xml");
        assertThatThrownBy(() -> Stack.validate("quarkus.peer.global.stack", file))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("no readable file");
    }

    @Test
    void anAcceptableStackRunsAMemberThatLeads() throws IOException {
        try (LocalGroup group = new LocalGroup(List.of("solo"), Duration.ofSeconds(2))) {
            Path file = stack("good", group.port("solo"), "");
            LocalGroup.Member solo = group.start(group.create("solo", LocalGroup.Options.defaults().stack(file)));
            await().atMost(Duration.ofSeconds(20)).until(solo::leads);
            assertThat(solo.member().raft().sendCommitsImmediately()).isFalse();
            assertThat(solo.member().raft().logUseFsync()).isTrue();
            // the file's RAFT runs as GuardedRaft, with the file's attributes
            assertThat(solo.member().raft()).isInstanceOf(GuardedRaft.class);
            assertThat(solo.member().raft().raftId()).isEqualTo("solo");
        }
    }
}
