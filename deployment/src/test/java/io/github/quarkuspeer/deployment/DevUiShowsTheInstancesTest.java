package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.quarkuspeer.testing.FreePorts;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.devui.tests.DevUIJsonRPCTest;
import io.quarkus.test.QuarkusDevModeTest;

/**
 * The Dev UI page of a dev-mode application: its JSON-RPC methods, the stream that keeps the page live, the
 * dev-only "resign" action, and the page itself in a real headless Chromium. One class, so one dev-mode start.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevUiShowsTheInstancesTest extends DevUIJsonRPCTest {

    /** A port of its own: other dev-mode tests of this machine take 8080. */
    static final int PORT = FreePorts.pick();
    static final String TABLE = "peers_dev_ui";

    @RegisterExtension
    static final QuarkusDevModeTest dev = new QuarkusDevModeTest()
            .withApplicationRoot(jar -> jar.addAsResource(new StringAsset(String.join("\n",
                    "quarkus.http.port=" + PORT,
                    "quarkus.devservices.enabled=false",
                    "quarkus.datasource.db-kind=postgresql",
                    "quarkus.datasource.jdbc.url=" + TestDatabases.PG_URL,
                    "quarkus.datasource.username=" + TestDatabases.PG_USER,
                    "quarkus.peer.table=" + TABLE,
                    "quarkus.peer.node=dev-node",
                    "quarkus.peer.interval=2s",
                    "quarkus.peer.\"reports\".kind=isolated",
                    "quarkus.peer.\"reports\".isolated.leader=false", "")), "application.properties"));

    DevUiShowsTheInstancesTest() {
        super("quarkus-peer", "http://localhost:" + PORT);
    }

    @Test
    @Order(1)
    void jsonRpcListsEachInstanceAsThisNodeSeesIt() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> instance("<default>").path("leader").asBoolean());
        // through Quarkus' own test client, once: it takes seconds a call
        JsonNode leader = null;
        for (JsonNode row : executeJsonRPCMethod("getInstances")) {
            if (row.path("instance").asText().equals("<default>")) {
                leader = row;
            }
        }
        assertThat(leader).isNotNull();
        assertThat(leader.path("kind").asText()).isEqualTo("database");
        assertThat(leader.path("node").asText()).isEqualTo("dev-node");
        assertThat(leader.path("leaderNode").asText()).isEqualTo("dev-node");
        assertThat(leader.path("fencingToken").asLong()).isPositive();
        assertThat(leader.path("leaseLeftMillis").asLong()).isBetween(1L, 2_000L);
        assertThat(leader.hasNonNull("lastError")).isFalse();
        assertThat(leader.path("canResign").asBoolean()).isTrue();
        JsonNode reports = instance("reports");
        assertThat(reports.path("kind").asText()).isEqualTo("isolated");
        assertThat(reports.path("leader").asBoolean()).isFalse();
        assertThat(reports.path("canResign").asBoolean()).isFalse();
    }

    @Test
    @Order(2)
    void theStreamSendsTheInstancesEverySecond() throws Exception {
        try (JsonRpc rpc = new JsonRpc()) {
            List<JsonNode> items = rpc.subscribe("streamInstances", 2, Duration.ofSeconds(20));
            assertThat(items).hasSize(2).allSatisfy(item -> assertThat(item.findValuesAsText("instance"))
                    .containsExactly("<default>", "reports"));
        }
    }

    @Test
    @Order(3)
    void resignReleasesTheLeaseAndRunsAgainUnderANewIdentity() throws Exception {
        long before = instance("<default>").path("fencingToken").asLong();
        try (JsonRpc rpc = new JsonRpc()) {
            rpc.call("resign", Map.of("instance", "<default>"));
        }
        JsonNode after = await().atMost(Duration.ofSeconds(30)).until(() -> instance("<default>"),
                row -> row.path("leader").asBoolean() && row.path("fencingToken").asLong() > before);
        assertThat(after.path("node").asText()).isEqualTo("dev-node");
    }

    @Test
    @Order(4)
    void thePageShowsTheInstancesInARealBrowser() throws Exception {
        Chromium.install();
        try (Chromium chromium = new Chromium("http://localhost:" + PORT + "/q/dev-ui/quarkus-peer/instances")) {
            long token = instance("<default>").path("fencingToken").asLong();
            chromium.awaitText(90_000, "<default>", "database", "dev-node", "reports", "isolated",
                    Long.toString(token), "Resign");
            chromium.screenshot(Path.of("target", "dev-ui-instances.png"));
            assertThat(chromium.click("Resign")).as("the Resign button").isTrue();
            JsonNode after = await().atMost(Duration.ofSeconds(30)).until(() -> instance("<default>"),
                    row -> row.path("leader").asBoolean() && row.path("fencingToken").asLong() > token);
            chromium.awaitText(10_000, after.path("fencingToken").asText());
        }
    }

    private static JsonNode instance(String name) throws Exception {
        try (JsonRpc rpc = new JsonRpc()) {
            for (JsonNode row : rpc.call("getInstances", Map.of())) {
                if (row.path("instance").asText().equals(name)) {
                    return row;
                }
            }
        }
        throw new AssertionError("no instance " + name);
    }

    /** The Dev UI's JSON-RPC over a JDK WebSocket: replies are matched with requests by id. */
    static final class JsonRpc implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        private final WebSocket socket;
        private int ids;

        JsonRpc() throws Exception {
            socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://localhost:" + PORT + "/q/dev-ui/json-rpc-ws"),
                            new WebSocket.Listener() {
                                final StringBuilder text = new StringBuilder();

                                @Override
                                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data,
                                        boolean last) {
                                    text.append(data);
                                    if (last) {
                                        try {
                                            messages.add(JSON.readTree(text.toString()));
                                        } catch (IOException e) {
                                            throw new UncheckedIOException(e);
                                        }
                                        text.setLength(0);
                                    }
                                    webSocket.request(1);
                                    return CompletableFuture.completedFuture(null);
                                }
                            })
                    .get(10, TimeUnit.SECONDS);
        }

        private int send(String method, Map<String, Object> params) throws Exception {
            int id = ++ids;
            socket.sendText(JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "id", id, "method",
                    "quarkus-peer_" + method, "params", params)), true).get(10, TimeUnit.SECONDS);
            return id;
        }

        /** The answer of a method. */
        JsonNode call(String method, Map<String, Object> params) throws Exception {
            int id = send(method, params);
            List<JsonNode> answer = receive(id, "Response", 1, Duration.ofSeconds(20));
            if (answer.isEmpty()) {
                throw new AssertionError("no answer to " + method);
            }
            return answer.get(0);
        }

        /** The first items of a subscription. */
        List<JsonNode> subscribe(String method, int count, Duration within) throws Exception {
            int id = send(method, Map.of());
            try {
                return receive(id, "SubscriptionMessage", count, within);
            } finally {
                socket.sendText(JSON.writeValueAsString(Map.of("jsonrpc", "2.0", "id", id, "method", "unsubscribe",
                        "params", Map.of())), true).get(10, TimeUnit.SECONDS);
            }
        }

        private List<JsonNode> receive(int id, String type, int count, Duration within) throws Exception {
            List<JsonNode> items = new ArrayList<>();
            long end = System.nanoTime() + within.toNanos();
            while (items.size() < count && System.nanoTime() < end) {
                JsonNode message = messages.poll(100, TimeUnit.MILLISECONDS);
                if (message != null && message.path("id").asInt() == id
                        && type.equals(message.path("result").path("messageType").asText())) {
                    items.add(message.path("result").path("object"));
                }
            }
            return items;
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
