package dev.molt;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The code of the README's tour, compiled and run, so the README cannot drift from the API. */
@Timeout(30)
class ReadmeTourTest {
    private final AtomicInteger ticks = new AtomicInteger();

    private String fetch(String what) throws InterruptedException {
        sleep(Duration.ofMillis(what.startsWith("mirror-2") ? 200 : 5));
        return "page " + what;
    }

    private void tick() {
        ticks.incrementAndGet();
    }

    private void flushAndClose() throws InterruptedException {
        sleep(Duration.ofMillis(1));
    }

    @Test
    void tasks() throws Exception {
        Task<Integer> answer = spawn(() -> 6 * 7);
        int v = answer.join();
        assertThat(v).isEqualTo(42);
    }

    @Test
    void scopes() throws Exception {
        List<String> pages = scope(s -> {
            Task<String> a = s.spawn(() -> fetch("a"));
            Task<String> b = s.spawn(() -> fetch("b"));
            return List.of(a.join(), b.join());
        });
        assertThat(pages).containsExactly("page a", "page b");
    }

    @Test
    void cancellation() throws Exception {
        Task<Void> ticker = spawn(() -> {
            while (!cancelled()) {
                tick();
                sleep(Duration.ofMillis(100));
            }
        });
        ticker.cancel();
        // It ends either way: by the loop's check (SUCCEEDED) or in sleep (CANCELLED).
        ticker.toFuture().handle((v, e) -> v).get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(ticker.state()).isIn(Task.State.SUCCEEDED, Task.State.CANCELLED);
        withToken(CancelToken.never(), () -> { flushAndClose(); return null; });
    }

    @Test
    void deadlinesAndRaces() throws Exception {
        String fast = race(List.of(() -> fetch("mirror-1"), () -> fetch("mirror-2")));
        List<String> both = par(List.of(() -> fetch("x"), () -> fetch("y")));
        String quick = timeout(Duration.ofSeconds(2), () -> fetch("slow"));
        assertThat(fast).isEqualTo("page mirror-1");
        assertThat(both).containsExactly("page x", "page y");
        assertThat(quick).isEqualTo("page slow");
    }

    @Test
    void channels() throws Exception {
        Channel<Integer> jobs = channel();
        Channel<Integer> results = channel(64);
        int sum = scope(s -> {
            for (int w = 0; w < 4; w++) {
                s.spawn(() -> { for (int job : jobs) results.send(job * job); });
            }
            s.spawn(() -> { for (int j = 1; j <= 10; j++) jobs.send(j); jobs.close(); });
            int total = 0;
            for (int i = 0; i < 10; i++) total += results.recv();
            return total;
        });
        assertThat(sum).isEqualTo(385);
    }
}
