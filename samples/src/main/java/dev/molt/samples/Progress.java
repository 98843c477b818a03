package dev.molt.samples;

/**
 * A one-line progress report for the demos that take more than a second.
 *
 * <p>On a terminal the line is redrawn in place at most ten times a second; when the output goes to a file or a
 * pipe (CI), a plain line is printed at most once a second, so logs stay short. {@code samples/run} tells which
 * through the {@code molt.samples.tty} system property. Not thread-safe: each demo reports from one thread.
 */
final class Progress {
    private static final boolean TTY = Boolean.getBoolean("molt.samples.tty");
    private static final int WIDTH = 24;

    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastShown;
    private int lastLength;

    /** A report of {@code done} out of {@code total} things, headed by {@code label}. */
    Progress(String label, long total) {
        this.label = label;
        this.total = total;
    }

    /** Reports {@code done}, with a short {@code detail} after the count; skips it if the last one was recent. */
    void show(long done, String detail) {
        long now = System.nanoTime();
        if (lastShown != 0 && now - lastShown < (TTY ? 100_000_000L : 1_000_000_000L)) {
            return;
        }
        lastShown = now;
        print(done, detail, false);
    }

    /** Reports the final count, always, and ends the line. */
    void finish(long done, String detail) {
        print(done, detail, true);
    }

    /** Elapsed seconds since this report was made. */
    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private void print(long done, String detail, boolean last) {
        int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
        String line = String.format("%-9s [%s%s] %,d/%,d %s  %.1f s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, total, detail, seconds());
        if (TTY) {
            // \r returns to the start of the line; spaces wipe what is left of a longer previous line.
            System.out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())) + (last ? "\n" : ""));
            System.out.flush();
            lastLength = line.length();
        } else {
            System.out.println(line);
        }
    }
}
