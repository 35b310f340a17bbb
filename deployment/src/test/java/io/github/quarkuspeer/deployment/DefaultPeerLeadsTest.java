package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.Peers;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.test.QuarkusUnitTest;

class DefaultPeerLeadsTest {

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.postgres("peers_default_leads")
            .overrideConfigKey("quarkus.peer.node", "node-a")
            .overrideConfigKey("quarkus.peer.interval", "2s");

    @Inject
    Peer peer;

    @Inject
    Peers peers;

    @Test
    void loneNodeLeadsAndNamesItself() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        assertThat(peer.instance()).isEqualTo(Peer.DEFAULT_INSTANCE);
        assertThat(peer.node()).isEqualTo("node-a");
        assertThat(peer.getLeader()).contains("node-a");
        assertThat(peer.fencingToken()).isPresent();
        assertThat(peers.get(Peer.DEFAULT_INSTANCE)).isSameAs(peer);
    }

    @Test
    void anApplicationWithoutHibernateOrmCarriesNoneOfIt() {
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        for (String type : new String[] { "org.hibernate.Session", "io.quarkus.hibernate.orm.panache.PanacheEntityBase",
                "io.quarkus.hibernate.orm.runtime.HibernateOrmRecorder" }) {
            assertThatThrownBy(() -> Class.forName(type, false, application)).as(type)
                    .isInstanceOf(ClassNotFoundException.class);
        }
        assertThat(application.getResource("META-INF/quarkus-extension.properties")).isNotNull();
        assertThat(application.getResource("org/hibernate/Session.class")).isNull();
    }
}
