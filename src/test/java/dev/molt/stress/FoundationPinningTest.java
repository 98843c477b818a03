package dev.molt.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import dev.molt.testing.PinningProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The foundation never pins a carrier: a JFR recording ({@code jdk.VirtualThreadPinned}, threshold 0) around a
 * stress of spawn, join, timed join, sleep, scopes, supervisor scopes, timeout, par, race, Task.cancel,
 * Scope.cancel, token cancels, shielded blocks and shutdown holds no event with a frame of Molt's main code.
 * Calibrated by {@link PinningProbe}: a deliberate pin must be recorded, or the test proves nothing.
 */
@Timeout(120)
class FoundationPinningTest {
    @Test
    void theFoundationNeverPins() throws Exception {
        assertThat(PinningProbe.pinsInMoltCode(FoundationPinningTest::stress))
                .as("pinned events with a dev.molt frame").isEmpty();
    }

    private static void stress() throws Exception {
        MoltRuntime rt = MoltRuntime.create("pinning");
        rt.run(() -> {
            for (int round = 0; round < 60; round++) {
                int r = round;
                Molt.scope(s -> {
                    List<Task<Integer>> ts = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        int k = i;
                        ts.add(s.spawn(() -> {
                            switch (k % 5) {
                                case 0 -> Molt.sleep(Duration.ofMillis(1));
                                case 1 -> Molt.withToken(CancelToken.never(), () -> {
                                    Thread.sleep(1);
                                    return null;
                                });
                                case 2 -> Molt.supervisorScope(inner -> {
                                    inner.spawn(() -> Molt.sleep(Duration.ofMillis(1)));
                                    return null;
                                });
                                case 3 -> {
                                    try {
                                        Molt.timeout(Duration.ofMillis(1), () -> {
                                            Molt.sleep(Duration.ofMillis(50));
                                            return null;
                                        });
                                    } catch (TimeoutException expected) {
                                        // the deadline passed
                                    }
                                }
                                default -> Molt.par(List.of(() -> 1, () -> 2));
                            }
                            return k;
                        }));
                    }
                    Task<Integer> victim = s.spawn(() -> {
                        Molt.sleep(Duration.ofMinutes(1));
                        return 0;
                    });
                    CancelToken plain = Molt.currentToken().child();
                    Task<Void> underPlain = Molt.withToken(plain, () -> Molt.spawn(() -> {
                        Molt.sleep(Duration.ofMinutes(1));
                    }));
                    for (Task<Integer> t : ts) {
                        t.join(Duration.ofSeconds(10));
                    }
                    victim.cancel();
                    plain.cancel();
                    Molt.race(List.of(() -> {
                        Molt.sleep(Duration.ofMillis(20));
                        return 1;
                    }, () -> 2));
                    try {
                        victim.join();
                    } catch (CancelledException expected) {
                        // it was cancelled
                    }
                    try {
                        underPlain.toFuture().get();
                    } catch (Exception expected) {
                        // cancelled
                    }
                    if (r % 10 == 0) {
                        s.spawn(() -> Molt.sleep(Duration.ofMinutes(1)));
                        s.cancel();
                    }
                    return null;
                });
            }
            Molt.spawn(() -> Molt.sleep(Duration.ofMinutes(1)));
            return null;
        });
        assertThat(rt.shutdown(Duration.ofSeconds(10))).isTrue();
    }
}
