package io.github.quarkuspeer.deployment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real headless Chromium (Debian's {@code chromium}), driven over the DevTools protocol with the JDK's own
 * HTTP and WebSocket clients: no driver, no Node. It reads the text of a page through its shadow roots, which is
 * where Dev UI pages (web components) render, clicks buttons, and takes screenshots.
 */
final class Chromium implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/chromium");

    /** The text of the document and of every open shadow root under it, in tree order. */
    private static final String DEEP_TEXT = "(() => { const out = []; const walk = n => {"
            + " if (n.shadowRoot) walk(n.shadowRoot);"
            + " for (const c of n.childNodes) { if (c.nodeType === 3) out.push(c.textContent.trim()); else walk(c); } };"
            + " walk(document); return out.filter(t => t).join(' '); })()";

    private static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--hide-scrollbars", "--window-size=1400,700");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
    private final AtomicInteger ids = new AtomicInteger();

    /**
     * Makes sure Chromium is installed: Debian's package, installed with apt-get when missing (as root, as in CI).
     *
     * @throws IllegalStateException with the command to run, if it cannot be installed
     */
    static void install() throws Exception {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        for (List<String> command : List.of(List.of("apt-get", "install", "-y", "-q", "chromium"),
                List.of("apt-get", "update", "-q"), List.of("apt-get", "install", "-y", "-q", "chromium"))) {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            try {
                builder.start().waitFor(15, TimeUnit.MINUTES);
            } catch (IOException e) {
                break; // no apt-get
            }
            if (Files.isExecutable(BINARY)) {
                return;
            }
        }
        throw new IllegalStateException("The Dev UI page test needs Debian's Chromium at " + BINARY
                + " and could not install it: run apt-get install chromium as root");
    }

    /** Starts Chromium on a page and connects to it. */
    Chromium(String url) throws Exception {
        profile = Files.createTempDirectory("quarkus-peer-chromium");
        List<String> command = new ArrayList<>(List.of(BINARY.toString()));
        command.addAll(FLAGS);
        command.addAll(List.of("--user-data-dir=" + profile, "--remote-debugging-port=0", url));
        process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            socket = connect(devToolsPort());
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private int devToolsPort() throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/");
        for (String line; (line = err.readLine()) != null;) {
            Matcher m = listening.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> err.lines().forEach(l -> {
                }), "chromium-stderr");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new IllegalStateException("Chromium exited before it opened its DevTools port");
    }

    private WebSocket connect(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String pageSocket = Awaitility.await("Chromium opens a page").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body();
                    String found = null;
                    for (JsonNode target : JSON.readTree(list)) {
                        if ("page".equals(target.path("type").asText())) {
                            found = target.path("webSocketDebuggerUrl").asText();
                        }
                    }
                    return found;
                }, Objects::nonNull);
        return http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
            final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    try {
                        replies.add(JSON.readTree(text.toString()));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    text.setLength(0);
                }
                webSocket.request(1);
                return CompletableFuture.completedFuture(null);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    private JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true)
                .get(10, TimeUnit.SECONDS);
        while (true) {
            JsonNode reply = replies.poll(30, TimeUnit.SECONDS);
            if (reply == null) {
                throw new IllegalStateException("Chromium did not answer " + method);
            }
            if (reply.path("id").asInt() == id) {
                return reply.path("result");
            }
        }
    }

    /** Evaluates a JavaScript expression in the page; returns its value as text. */
    String evaluate(String expression) throws Exception {
        return call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true))
                .path("result").path("value").asText();
    }

    /** The page's text, shadow roots included. */
    String text() throws Exception {
        return evaluate(DEEP_TEXT);
    }

    /** Waits until the page's text holds every given string; returns it. */
    String awaitText(long timeoutMillis, String... wanted) throws Exception {
        AtomicReference<String> text = new AtomicReference<>("");
        try {
            return Awaitility.await().atMost(Duration.ofMillis(timeoutMillis)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        text.set(text());
                        return text.get();
                    }, current -> Arrays.stream(wanted).allMatch(current::contains));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("The page never showed " + List.of(wanted) + "; it shows: " + text.get());
        }
    }

    /** Clicks the first button, through shadow roots, whose text is {@code label}; returns whether one was found. */
    boolean click(String label) throws Exception {
        String script = "(() => { const find = n => { if (n.shadowRoot) { const b = find(n.shadowRoot); if (b) return b; }"
                + " for (const c of n.children ?? []) { if (c.tagName === 'BUTTON' && c.textContent.trim() === "
                + JSON.writeValueAsString(label) + ") return c; const b = find(c); if (b) return b; } return null; };"
                + " const b = find(document); if (b) { b.click(); return 'clicked'; } return 'none'; })()";
        return "clicked".equals(evaluate(script));
    }

    /**
     * Saves a PNG of the page as it is, without the Dev UI's pop-up notifications (such as the registry of
     * extensions being out of reach of an offline build), which belong to no page.
     */
    void screenshot(Path file) throws Exception {
        evaluate("document.querySelectorAll('vaadin-notification-container, vaadin-notification-card')"
                + ".forEach(e => e.remove())");
        String png = call("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(png));
    }

    @Override
    public void close() throws Exception {
        if (socket != null) {
            socket.abort();
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        try (var paths = Files.walk(profile)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
