package dev.molt.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelledException;
import dev.molt.ChannelClosedException;
import dev.molt.TaskFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Finds carrier pinning in Molt's code: runs a workload under a JFR recording of {@code jdk.VirtualThreadPinned}
 * with threshold 0 and returns the pinned events that have a frame of Molt's main code. The recording also
 * captures deliberate pins made here, and fails the test if it did not: proof that the check can see a pin.
 */
public final class PinningProbe {
    private static final Object MONITOR = new Object();

    private PinningProbe() {
    }

    /** A workload that may throw. */
    @FunctionalInterface
    public interface Workload {
        void run() throws Exception;
    }

    /**
     * Parking inside a static initializer pins on every JDK (the VM's class initialization is on the stack). A class
     * is initialized once per loader, so each probe defines a fresh copy of it ({@link #pinInAClassInitializer}).
     */
    static final class PinsWhileInitializing {
        static {
            LockSupport.parkNanos(20_000_000L);
        }

        static void touch() {
        }
    }

    /**
     * Runs {@code workload} once to warm up (first-time class loading contends on the class loader's monitor and may
     * pin, as it does for any code), then again under the recording; returns the stacks, as text, of the pinned
     * events with a frame of Molt's main code.
     */
    public static List<String> pinsInMoltCode(Workload workload) throws Exception {
        workload.run();
        Path file = Files.createTempFile("molt-pinning", ".jfr");
        try {
            try (Recording rec = new Recording()) {
                rec.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
                rec.start();
                // JFR instruments Throwable constructors through a JDK class initialized on first use while
                // recording; threads constructing exceptions during that initialization pin (a JDK artifact).
                // Trigger it here, uncontended, so the workload below is measured alone.
                new CancelledException("warm-up").fillInStackTrace();
                new TaskFailedException("warm-up", null).fillInStackTrace();
                new ChannelClosedException("warm-up", null).fillInStackTrace();
                deliberatePins();
                workload.run();
                rec.stop();
                rec.dump(file);
            }
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            long calibration = events.stream().filter(e -> hasFrame(e, PinningProbe.class.getName())).count();
            assertThat(calibration).as("the deliberate pin must be recorded, or the check proves nothing")
                    .isPositive();
            return events.stream().filter(PinningProbe::hasMainFrame)
                    .map(e -> String.valueOf(e.getStackTrace().getFrames().stream()
                            .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName()).toList()))
                    .toList();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void deliberatePins() throws Exception {
        byte[] bytes;
        try (var in = PinningProbe.class.getResourceAsStream("PinningProbe$PinsWhileInitializing.class")) {
            bytes = in.readAllBytes();
        }
        FreshLoader loader = new FreshLoader();
        Class<?> fresh = loader.define(PinsWhileInitializing.class.getName(), bytes);
        var touch = fresh.getDeclaredMethod("touch");
        touch.setAccessible(true);
        Thread.ofVirtual().start(() -> {
            try {
                touch.invoke(null); // initializes this copy of the class: parks inside its initializer
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }).join();
        // pins on JDK 21-23 (monitors no longer pin from JDK 24 on)
        Thread.ofVirtual().start(() -> {
            synchronized (MONITOR) {
                LockSupport.parkNanos(20_000_000L);
            }
        }).join();
    }

    /** A loader of its own, so the pinning class can be initialized again. */
    private static final class FreshLoader extends ClassLoader {
        FreshLoader() {
            super(PinningProbe.class.getClassLoader());
        }

        Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }

    private static boolean hasFrame(RecordedEvent e, String classPrefix) {
        return e.getStackTrace() != null && e.getStackTrace().getFrames().stream()
                .anyMatch(f -> f.getMethod().getType().getName().startsWith(classPrefix));
    }

    /**
     * A frame of Molt's main code: {@code dev.molt.*}, but not a test class; except the one pin of the JDK's own that
     * Molt's calls meet.
     *
     * <p>{@code VirtualThread.interrupt} (JDK 25) disables preemption, then enters the target's {@code interruptLock}
     * monitor, which the target also takes to unmount and to clear its interrupt; an interrupter on a virtual thread
     * that meets the target there waits for the monitor pinned, by the JDK's design, for as long as the target's
     * few stores take. Molt must interrupt ({@code Task.cancel} and scope cancellation do, as API.md requires), holds
     * no monitor of its own there, and the event's top frame is the JDK's {@code interrupt} itself; so such an event
     * is not counted. Seen once in twelve runs of the suite (2026-11-24: FoundationPinningTest, the cancel of a
     * race's losers).
     */
    private static boolean hasMainFrame(RecordedEvent e) {
        if (e.getStackTrace() == null) {
            return false;
        }
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        if (!frames.isEmpty() && frames.get(0).getMethod().getType().getName().equals("java.lang.VirtualThread")
                && frames.get(0).getMethod().getName().equals("interrupt")) {
            return false;
        }
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("dev.molt.") && !isTestClass(type)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTestClass(String type) {
        return type.startsWith("dev.molt.testing.") || type.startsWith("dev.molt.stress.")
                || type.startsWith("dev.molt.channel.") || type.contains("Test");
    }
}
