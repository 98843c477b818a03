package dev.molt.channel;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No channel operation pins a carrier thread: a JFR recording of a stress run, with
 * {@code jdk.VirtualThreadPinned} at threshold 0, holds no event whose stack has a frame of Molt's main code.
 * The same recording first captures a deliberate pin in this test (proof that the check can see one).
 */
@Timeout(120)
class ChannelPinningTest {
    private static final Object MONITOR = new Object();

    /** Parking inside a static initializer pins on every JDK (the VM's class initialization is on the stack). */
    static final class PinsWhileInitializing {
        static {
            LockSupport.parkNanos(20_000_000L);
        }

        static void touch() {
        }
    }

    @Test
    void channelsAndSelectNeverPin() throws Exception {
        Path file = Files.createTempFile("molt-pinning", ".jfr");
        // Load every class the stress touches first: concurrent first-time class loading contends on the class
        // loader's monitor and may pin (a JVM artifact that any code has, and over after warm-up).
        stress();
        try (Recording rec = new Recording()) {
            rec.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            rec.start();
            // JFR instruments Throwable constructors through a JDK class initialized on first use while recording;
            // threads that construct exceptions during that initialization pin (a JDK artifact, not ours).
            // Trigger it here, uncontended, so the stress below measures channels only.
            new ChannelClosedException("warm-up", null).fillInStackTrace();
            deliberatePins();
            stress();
            rec.stop();
            rec.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Files.deleteIfExists(file);
        long calibration = events.stream().filter(e -> hasFrame(e, "ChannelPinningTest")).count();
        assertThat(calibration).as("the deliberate pin must be recorded, or this test proves nothing").isPositive();
        List<RecordedEvent> ours = events.stream().filter(ChannelPinningTest::hasMainFrame).toList();
        assertThat(ours).as("pinned events with a dev.molt frame").isEmpty();
    }

    private static void deliberatePins() throws InterruptedException {
        Thread.ofVirtual().start(PinsWhileInitializing::touch).join();
        // pins on JDK 21-23 (monitors no longer pin from JDK 24 on)
        Thread.ofVirtual().start(() -> {
            synchronized (MONITOR) {
                LockSupport.parkNanos(20_000_000L);
            }
        }).join();
    }

    private static void stress() throws Exception {
        for (int capacity : new int[] {0, 16}) {
            Channel<Integer> a = channel(capacity);
            Channel<Integer> b = channel(capacity);
            AtomicLong got = new AtomicLong();
            scope(s -> {
                for (int p = 0; p < 4; p++) {
                    spawn(() -> {
                        for (int i = 0; i < 20_000; i++) {
                            if (i % 3 == 0) {
                                select(a.onSend(i, () -> null), b.onSend(i, () -> null));
                            } else if (i % 3 == 1) {
                                a.send(i);
                            } else {
                                while (!b.send(i, Duration.ofMillis(1))) {
                                    Thread.onSpinWait();
                                }
                            }
                        }
                    });
                }
                for (int c = 0; c < 4; c++) {
                    spawn(() -> {
                        try {
                            while (true) {
                                select(a.onRecv(v -> got.incrementAndGet()), b.onRecv(v -> got.incrementAndGet()),
                                        onTimeout(Duration.ofMillis(1), () -> 0L));
                            }
                        } catch (ChannelClosedException e) {
                            // done
                        }
                    });
                }
                while (got.get() < 80_000) {
                    Thread.sleep(1);
                }
                a.close();
                b.close();
                return null;
            });
        }
    }

    private static boolean hasFrame(RecordedEvent e, String classPart) {
        return e.getStackTrace() != null && e.getStackTrace().getFrames().stream()
                .anyMatch(f -> f.getMethod().getType().getName().contains(classPart));
    }

    /** A frame of Molt's main code: dev.molt.* but not this test package. */
    private static boolean hasMainFrame(RecordedEvent e) {
        if (e.getStackTrace() == null) {
            return false;
        }
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            String type = f.getMethod().getType().getName();
            if (type.startsWith("dev.molt.") && !type.startsWith("dev.molt.channel.")) {
                return true;
            }
        }
        return false;
    }
}
