package dev.molt.channel;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.Channel;
import dev.molt.ChannelClosedException;
import dev.molt.testing.PinningProbe;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No channel operation pins a carrier thread: a JFR recording of a stress run, with
 * {@code jdk.VirtualThreadPinned} at threshold 0, holds no event whose stack has a frame of Molt's main code.
 * The same recording captures deliberate pins ({@link PinningProbe}): proof that the check can see one.
 */
@Timeout(120)
class ChannelPinningTest {
    @Test
    void channelsAndSelectNeverPin() throws Exception {
        assertThat(PinningProbe.pinsInMoltCode(ChannelPinningTest::stress))
                .as("pinned events with a dev.molt frame").isEmpty();
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
}
