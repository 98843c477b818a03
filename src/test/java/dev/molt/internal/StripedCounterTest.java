package dev.molt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StripedCounterTest {
    @Test
    void startsAtZero() {
        assertThat(new StripedCounter().sum()).isZero();
    }

    @Test
    void concurrentUpdatesFromManyShortLivedThreadsAreAllCounted() throws Exception {
        StripedCounter counter = new StripedCounter();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2_000; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 1_000; i++) {
                    counter.add(1);
                }
                counter.add(-10);
            }));
        }
        for (int t = 0; t < 4; t++) { // long-lived platform threads too
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 100_000; i++) {
                    counter.add(2);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(counter.sum()).isEqualTo(2_000L * (1_000 - 10) + 4L * 100_000 * 2);
    }
}
