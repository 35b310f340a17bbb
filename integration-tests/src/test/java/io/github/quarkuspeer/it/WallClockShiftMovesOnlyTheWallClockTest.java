package io.github.quarkuspeer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shim behind {@link NodeSpec#withWallClockShift}: a JVM started under it sees its wall clock
 * ({@code System.currentTimeMillis}, {@code Instant.now}) moved by the shift, and its monotonic clock
 * ({@code System.nanoTime}) still the one every process of the host shares.
 */
class WallClockShiftMovesOnlyTheWallClockTest {

    /** What a JVM under the shim prints: its three clocks, on one line. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println(System.currentTimeMillis() + " " + Instant.now().toEpochMilli() + " "
                    + System.nanoTime());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {10, -10, 600})
    void aJvmUnderTheShimSeesItsWallClockShiftedAndTheMonotonicClockUntouched(long minutes) throws Exception {
        Duration shift = Duration.ofMinutes(minutes);
        ProcessBuilder builder = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xshare:auto", "-cp", System.getProperty("java.class.path"), Probe.class.getName())
                .redirectErrorStream(true);
        builder.environment().put("LD_PRELOAD", NativeShims.wallClockShift().toString());
        builder.environment().put(NativeShims.SHIFT_VARIABLE, Long.toString(shift.toMillis()));

        long wallBefore = System.currentTimeMillis();
        long nanoBefore = System.nanoTime();
        Process probe = builder.start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long wallAfter = System.currentTimeMillis();
        long nanoAfter = System.nanoTime();

        List<Long> clocks = List.of(output.split(" ")).stream().map(Long::parseLong).toList();
        assertThat(clocks).as("the probe's output: " + output).hasSize(3);
        assertThat(clocks.get(0)).as("System.currentTimeMillis").isBetween(wallBefore + shift.toMillis(),
                wallAfter + shift.toMillis());
        assertThat(clocks.get(1)).as("Instant.now").isCloseTo(clocks.get(0), within(1_000L));
        assertThat(clocks.get(2)).as("System.nanoTime").isBetween(nanoBefore, nanoAfter);
    }
}
