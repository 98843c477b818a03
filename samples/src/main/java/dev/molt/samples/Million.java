package dev.molt.samples;

import static dev.molt.Molt.*;

import dev.molt.Channel;
import dev.molt.MoltRuntime;
import dev.molt.ReceiveChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A million tasks at once: each one blocks on the same channel, then closing the channel releases them all.
 *
 * <p>A blocked Molt task is a parked virtual thread: a few hundred bytes of heap, no OS thread. So a million of
 * them fit in an ordinary JVM, and starting one takes a few microseconds. Closing a channel wakes every
 * receiver blocked on it (Go's "close is a broadcast"); their loops end normally, and the scope waits for
 * them all. With {@code --platform THREADS} the demo then does the same work with that many platform threads,
 * each a real OS thread with its own native stack, and compares the two.
 *
 * <p>Run it: {@code samples/run million [COUNT] [--platform THREADS]} (default 1,000,000 tasks)
 */
public final class Million {

    /** What a run measured. */
    record Measured(String what, long count, double startSeconds, long heapBytes, long rssBytes) {
    }

    public static void main(String[] args) throws Exception {
        long count = 1_000_000;
        int platform = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--platform")) {
                platform = Integer.parseInt(args[++i]);
            } else {
                count = Long.parseLong(args[i].replace("_", "").replace(",", ""));
            }
        }

        List<Measured> runs = new ArrayList<>();
        if (platform > 0) {
            // Platform threads first, while the heap is still small: their memory is then easier to see.
            runs.add(platformThreads(platform));
            System.out.println();
        }
        runs.add(molt(count));
        if (platform > 0) {
            System.out.println();
            System.out.printf("%-17s %12s %14s %14s%n", "", "start/task", "heap/task", "process/task");
            for (Measured m : runs) {
                System.out.printf("%-17s %9.1f us %14s %14s%n", m.what(), m.startSeconds() * 1e6 / m.count(),
                        bytes(m.heapBytes() / m.count()), m.rssBytes() < 0 ? "n/a" : bytes(m.rssBytes() / m.count()));
            }
        }
    }

    /** COUNT Molt tasks, each parked on {@code gate} until it is closed. */
    static Measured molt(long count) throws InterruptedException {
        MoltRuntime runtime = MoltRuntime.defaultRuntime();
        Channel<Object> gate = channel(); // nothing is ever sent on it: it is only ever closed
        LongAdder waiting = new LongAdder();
        long heapBefore = heapAfterGc();
        long rssBefore = rss();

        return scope(s -> {
            Progress spawning = new Progress("spawned", count);
            for (long i = 1; i <= count; i++) {
                s.spawn(() -> waitFor(gate, waiting));
                if (i % 1000 == 0) {
                    spawning.show(i, status(runtime));
                }
            }
            double startSeconds = spawning.seconds();
            spawning.finish(count, status(runtime));

            Progress parking = new Progress("parked", count);
            while (waiting.sum() < count) {
                parking.show(waiting.sum(), "waiting on the channel");
                sleep(Duration.ofMillis(20));
            }
            parking.finish(count, "waiting on the channel");

            long heap = heapAfterGc() - heapBefore;
            long rss = rss() < 0 ? -1 : rss() - rssBefore;
            System.out.printf("%,d tasks alive, all parked: heap %s (%s per task), process memory %s%n",
                    runtime.liveTasks(), bytes(heap), bytes(heap / count), rss < 0 ? "n/a" : "+" + bytes(rss));

            long closing = System.nanoTime();
            gate.close(); // wakes every receiver at once
            System.out.printf("close() returned in %d ms%n", (System.nanoTime() - closing) / 1_000_000);
            Progress ending = new Progress("ended", count);
            long live;
            while ((live = runtime.liveTasks()) > 0) {
                ending.show(count - live, "released by one close(), " + status(runtime));
                sleep(Duration.ofMillis(20));
            }
            ending.finish(count, "released by one close(), " + status(runtime));
            return new Measured("Molt tasks", count, startSeconds, heap, rss);
        });
    }

    /** The same work on THREADS platform threads: they block on a Molt channel just the same. */
    static Measured platformThreads(int threads) throws InterruptedException {
        Channel<Object> gate = channel();
        LongAdder waiting = new LongAdder();
        long heapBefore = heapAfterGc();
        long rssBefore = rss();
        List<Thread> started = new ArrayList<>(threads);

        Progress spawning = new Progress("started", threads);
        for (int i = 1; i <= threads; i++) {
            started.add(Thread.ofPlatform().start(() -> {
                try {
                    waitFor(gate, waiting);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            if (i % 100 == 0) {
                spawning.show(i, "platform threads");
            }
        }
        double startSeconds = spawning.seconds();
        spawning.finish(threads, "platform threads");
        while (waiting.sum() < threads) {
            Thread.sleep(20);
        }
        long heap = heapAfterGc() - heapBefore;
        long rss = rss() < 0 ? -1 : rss() - rssBefore;
        System.out.printf("%,d platform threads parked: heap %s, process memory %s (their stacks are native)%n",
                threads, bytes(heap), rss < 0 ? "n/a" : "+" + bytes(rss));
        gate.close();
        for (Thread t : started) {
            t.join();
        }
        System.out.printf("%,d platform threads ended%n", threads);
        return new Measured("platform threads", threads, startSeconds, heap, rss);
    }

    static void waitFor(ReceiveChannel<Object> gate, LongAdder waiting) throws InterruptedException {
        waiting.increment();
        for (Object ignored : gate) {
            // Never runs: nothing is sent. The loop ends when the gate is closed.
        }
    }

    /** Live tasks and heap in use now (garbage included), for the progress lines. */
    private static String status(MoltRuntime runtime) {
        Runtime rt = Runtime.getRuntime();
        return String.format("live %,d, heap %,d MB", runtime.liveTasks(), (rt.totalMemory() - rt.freeMemory()) >> 20);
    }

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The process's resident memory in bytes (Linux), or -1 where it cannot be read. */
    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it out
        }
        return -1;
    }

    private static String bytes(long n) {
        if (Math.abs(n) >= 10L << 20) {
            return String.format("%,d MB", n >> 20);
        }
        if (Math.abs(n) >= 10L << 10) {
            return String.format("%,d KB", n >> 10);
        }
        return String.format("%,d bytes", n);
    }
}
