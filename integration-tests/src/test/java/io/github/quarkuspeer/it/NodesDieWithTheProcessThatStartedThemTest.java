package io.github.quarkuspeer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A harness killed with SIGKILL runs no shutdown hook, yet leaves no node behind: each node watches the process
 * that started it and ends itself when that process is gone.
 */
class NodesDieWithTheProcessThatStartedThemTest {

    /** A harness that starts one node in {@code args[0]}, prints its pid and waits to be killed. */
    public static final class Harness {
        public static void main(String[] args) throws Exception {
            Path dir = Paths.get(args[0]);
            Cluster cluster = Cluster.builder(Database.h2(dir)).directory(dir).build();
            Node node = cluster.start("orphan");
            System.out.println("node pid " + node.pid());
            // not a wait for anything: this harness process must simply live until the test kills it with SIGKILL
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void aNodeEndsItselfWhenItsHarnessIsKilled(@TempDir Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"),
                "-D" + DemoBuild.ROOT_PROPERTY + "=" + DemoBuild.projectRoot()));
        Optional.ofNullable(System.getProperty(DemoBuild.TARGET_PROPERTY))
                .ifPresent(target -> command.add("-D" + DemoBuild.TARGET_PROPERTY + "=" + target));
        command.add(Harness.class.getName());
        command.add(dir.toString());
        Process harness = new ProcessBuilder(command).redirectErrorStream(true).start();
        ProcessHandle node = null;
        try {
            CompletableFuture<Long> pid = CompletableFuture.supplyAsync(() -> readNodePid(harness));
            node = ProcessHandle.of(pid.get(120, TimeUnit.SECONDS)).orElseThrow();
            assertThat(node.isAlive()).isTrue();

            harness.destroyForcibly();
            assertThat(harness.waitFor(30, TimeUnit.SECONDS)).isTrue();

            ProcessHandle started = node;
            Awaitility.await("the node gone").atMost(Duration.ofSeconds(30)).until(() -> !started.isAlive());
        } finally {
            harness.destroyForcibly();
            if (node != null) {
                node.destroyForcibly();
            }
        }
    }

    private static long readNodePid(Process harness) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(harness.getInputStream(),
                StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("node pid ")) {
                    return Long.parseLong(line.substring("node pid ".length()).trim());
                }
                seen.append(line).append('\n');
            }
            throw new IllegalStateException("The harness ended without starting its node:\n" + seen);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
