package dev.molt.bench;

import dev.molt.CancelledException;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import javax.management.ObjectName;

/**
 * Memory per live task parked in a sleep: {@code molt} (tasks in {@code Molt.sleep}) or {@code raw} (virtual
 * threads in {@code Thread.sleep}); both keep a handle per task. Run each in a fresh JVM (bench/memory does), so
 * neither sees the other's garbage. Parks {@code n} tasks, measures, wakes and joins them, five rounds in the same
 * JVM; prints the bytes of live objects (a class histogram, after a full GC) and the process's resident set, both
 * per task, for each round. The last round is the steady state.
 *
 * <p>Before each round it waits until the JIT has been quiet for a second ({@link #awaitQuietJit}), so the round's
 * tasks park in the code the JIT settled on after the previous round's wake-up (the end of a round deoptimizes code
 * that had never seen a task end, and the JIT recompiles it in the seconds after).
 *
 * <p>It prints the stacks' share too (the {@code jdk.internal.vm.StackChunk} objects: each parked virtual thread's
 * frames), because that is the part that differs between JVMs: the task's objects are fixed, but whether C2 compiles
 * the whole park path into one frame of {@code VirtualThread.run} (a Molt task's stack chunk is then 312 bytes, the raw
 * thread's 264) or leaves {@code TaskImpl.run} and {@code Molt.sleep} frames of their own (512 bytes) depends on which
 * method C2 happened to compile first: a method that already has C2 code larger than {@code -XX:InlineSmallCode}
 * (2,500 bytes) is not inlined ("already compiled into a big method" in a JFR {@code jdk.CompilerInlining} event),
 * and the end of each round deoptimizes and recompiles all three again. docs/performance.md has the runs.
 *
 * <pre>java -cp ... dev.molt.bench.ParkedMemory molt 1000000</pre>
 */
public final class ParkedMemory {
    private static final int ROUNDS = 5;

    /** The bytes of stack chunks at the last {@link #heapAfterGc} (none are left from a previous round by then). */
    private static long stackChunkBytes;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "molt";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        for (int round = 1; round <= ROUNDS; round++) {
            awaitQuietJit();
            long heapBefore = heapAfterGc();
            long rssBefore = rss();
            CountDownLatch parked = new CountDownLatch(n);
            Thread[] threads = mode.equals("raw") ? new Thread[n] : null;
            Task<?>[] tasks = threads == null ? new Task<?>[n] : null;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (threads != null) {
                    threads[i] = Thread.ofVirtual().start(() -> {
                        parked.countDown();
                        try {
                            Thread.sleep(Duration.ofHours(1));
                        } catch (InterruptedException e) {
                            // woken for the next round
                        }
                    });
                } else {
                    tasks[i] = Molt.spawn(() -> {
                        parked.countDown();
                        try {
                            Molt.sleep(Duration.ofHours(1));
                        } catch (CancelledException e) {
                            // woken for the next round, as the raw body is by its interrupt
                        }
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
            long stacks = stackChunkBytes;
            long rss = rss() - rssBefore;
            System.out.printf("%s round %d: %,d parked tasks in %d ms; heap %,d bytes/task (stacks %,d); RSS %,d"
                    + " bytes/task; carrier %s%n", mode, round, n, (System.nanoTime() - t0) / 1_000_000, heap / n,
                    stacks / n, rss / n, MoltRuntime.carrier());
            if (round == ROUNDS) {
                Thread.sleep(Long.getLong("hold.millis", 0)); // time for a histogram: jcmd PID GC.class_histogram
            }
            if (threads != null) {
                for (Thread t : threads) {
                    t.interrupt();
                }
                for (Thread t : threads) {
                    t.join();
                }
            } else {
                for (Task<?> t : tasks) {
                    t.cancel();
                }
                for (Task<?> t : tasks) {
                    t.toFuture().exceptionally(e -> null).join();
                }
            }
        }
    }

    /**
     * Waits until the JIT's total compilation time has not moved for a second (at most 30 seconds), so the round's
     * tasks park in the code the JIT settled on rather than in frames of a recompilation in progress.
     */
    private static void awaitQuietJit() throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long last = -1;
        for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end; ) {
            long now = jit.getTotalCompilationTime();
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(1_000);
        }
    }

    /**
     * Bytes of live objects, from a class histogram (which collects first): unlike the heap's "used" figure, it
     * counts no space a collector left unused, so rounds agree within a few bytes per task. Also notes the stack
     * chunks' bytes.
     */
    private static long heapAfterGc() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        String[] lines = histogram.strip().split("\n");
        stackChunkBytes = 0;
        for (String line : lines) { // " 1:  1000000  312000000  jdk.internal.vm.StackChunk (java.base@25)"
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4 && columns[3].equals("jdk.internal.vm.StackChunk")) {
                stackChunkBytes = Long.parseLong(columns[2]);
            }
        }
        String[] total = lines[lines.length - 1].trim().split("\\s+"); // "Total <instances> <bytes>"
        return Long.parseLong(total[2]);
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
