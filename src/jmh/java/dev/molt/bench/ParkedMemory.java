package dev.molt.bench;

import dev.molt.Molt;
import dev.molt.MoltRuntime;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Memory per live task parked in a sleep: {@code molt} (tasks in {@code Molt.sleep}) or {@code raw} (virtual
 * threads in {@code Thread.sleep}). Run each in a fresh JVM (bench/memory does), so neither sees the other's
 * garbage. Prints heap used after a full GC and the process's resident set, both per task.
 *
 * <pre>java -cp ... dev.molt.bench.ParkedMemory molt 1000000</pre>
 */
public final class ParkedMemory {
    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "molt";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        long heapBefore = heapAfterGc();
        long rssBefore = rss();
        CountDownLatch parked = new CountDownLatch(n);
        Thread[] raw = mode.equals("raw") ? new Thread[n] : null;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (raw != null) {
                raw[i] = Thread.ofVirtual().start(() -> {
                    parked.countDown();
                    try {
                        Thread.sleep(Duration.ofHours(1));
                    } catch (InterruptedException e) {
                        // shutting down
                    }
                });
            } else {
                Molt.spawn(() -> {
                    parked.countDown();
                    Molt.sleep(Duration.ofHours(1));
                });
            }
        }
        parked.await();
        // Let the last ones reach their park: measure until two full-GC readings agree within 0.5%.
        long previous = 0;
        long current = heapAfterGc();
        while (Math.abs(current - previous) > current / 200) {
            Thread.sleep(500);
            previous = current;
            current = heapAfterGc();
        }
        long heap = current - heapBefore;
        long rss = rss() - rssBefore;
        System.out.printf("%s: %,d parked tasks in %d ms; heap %,d bytes/task; RSS %,d bytes/task; carrier %s%n",
                mode, n, (System.nanoTime() - t0) / 1_000_000, heap / n, rss / n, MoltRuntime.carrier());
        Thread.sleep(Long.getLong("hold.millis", 0)); // time to take a class histogram: jcmd PID GC.class_histogram
        if (raw != null) {
            for (Thread t : raw) {
                t.interrupt();
            }
            for (Thread t : raw) {
                t.join();
            }
        } else {
            Molt.shutdown(Duration.ofMinutes(1));
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }
}
