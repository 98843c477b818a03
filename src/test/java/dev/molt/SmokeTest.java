package dev.molt;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void spawnJoinScope() throws Exception {
        assertThat(spawn(() -> 21 * 2).join()).isEqualTo(42);
        int v = scope(s -> {
            Task<Integer> a = s.spawn(() -> 1);
            Task<Integer> b = spawn(() -> 2);
            return a.join() + b.join();
        });
        assertThat(v).isEqualTo(3);
        Task<Void> sleeper = spawn(() -> sleep(Duration.ofMinutes(1)));
        sleeper.cancel();
        assertThat(sleeper.toFuture()).failsWithin(Duration.ofSeconds(5));
        assertThat(sleeper.state()).isEqualTo(Task.State.CANCELLED);
    }
}
