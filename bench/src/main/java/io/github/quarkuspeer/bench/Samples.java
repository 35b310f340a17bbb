package io.github.quarkuspeer.bench;

import java.util.Arrays;

/** Measured values, added from any thread, and their percentiles (nearest rank). */
public final class Samples {

    private long[] values = new long[1024];
    private int size;
    private boolean recording = true;

    public synchronized void add(long value) {
        if (!recording) {
            return;
        }
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    /** Forgets what was added so far: the end of a warm-up. */
    public synchronized void clear() {
        size = 0;
    }

    /** Ignores what is added from now on: the end of a measurement window. */
    public synchronized void stop() {
        recording = false;
    }

    public synchronized int count() {
        return size;
    }

    /** The smallest value that at least {@code p} percent of the values do not exceed. */
    public synchronized long percentile(double p) {
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size, rank) - 1)];
    }

    public synchronized long max() {
        return percentile(100);
    }

    public synchronized double mean() {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return size == 0 ? Double.NaN : (double) sum / size;
    }
}
