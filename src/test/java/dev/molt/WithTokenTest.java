package dev.molt;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WithTokenTest {

    @Test
    void theOverrideIsCurrentInsideAndInheritedBySpawnedWork() throws Exception {
        CancelToken mine = CancelToken.create();
        CancelToken before = currentToken();
        CountDownLatch parked = new CountDownLatch(1);
        Task<String> child = withToken(mine, () -> {
            assertThat(currentToken()).isSameAs(mine);
            return spawn(() -> {
                parked.countDown();
                try {
                    sleep(Duration.ofMinutes(5));
                    return "not cancelled";
                } catch (CancelledException e) {
                    return "cancelled through the override";
                }
            });
        });
        assertThat(currentToken()).isSameAs(before);
        parked.await();
        mine.cancel();
        assertThat(child.join()).isEqualTo("cancelled through the override");
        assertThat(before.cancelled()).isFalse();
    }

    @Test
    void insideNeverBlockingWorksInACancelledTaskAndTheInterruptComesBackAfter() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> log = new AtomicReference<>("");
        Task<Void> t = spawn(() -> {
            started.countDown();
            try {
                sleep(Duration.ofMinutes(5));
            } finally {
                withToken(CancelToken.never(), () -> {
                    log.set(log.get() + "interrupted-inside=" + Thread.currentThread().isInterrupted());
                    sleep(Duration.ofMillis(20));                 // ours
                    Thread.sleep(20);                              // the JDK's
                    new LinkedBlockingQueue<>().poll(20, TimeUnit.MILLISECONDS);
                    log.set(log.get() + " cleanup-done");
                    return null;
                });
                log.set(log.get() + " interrupted-after=" + Thread.currentThread().isInterrupted());
            }
        });
        started.await();
        Thread.sleep(20);
        t.cancel();
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
        assertThat(log.get()).isEqualTo("interrupted-inside=false cleanup-done interrupted-after=true");
    }

    @Test
    void anInterruptArrivingInsideTheShieldIsDeliveredWhenItEnds() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicBoolean interruptedInside = new AtomicBoolean();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Task<Void> t = spawn(() -> {
            withToken(CancelToken.never(), () -> {
                inside.countDown();
                cancelled.await(); // would throw if the interrupt landed here
                Thread.sleep(20);
                interruptedInside.set(Thread.currentThread().isInterrupted());
                return null;
            });
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        inside.await();
        t.cancel();
        cancelled.countDown();
        t.join(); // the body returned normally: SUCCEEDED
        assertThat(interruptedInside).isFalse();
        assertThat(interruptedAfter).isTrue();
    }

    @Test
    void shieldsNest() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicReference<String> seen = new AtomicReference<>();
        Task<Void> t = spawn(() -> {
            withToken(CancelToken.never(), () -> withToken(CancelToken.never(), () -> {
                inside.countDown();
                cancelled.await();
                return null;
            }));
            seen.set("after inner+outer: " + Thread.currentThread().isInterrupted());
        });
        inside.await();
        t.cancel();
        cancelled.countDown();
        t.join();
        assertThat(seen.get()).isEqualTo("after inner+outer: true");
    }

    @Test
    void outsideTasksAPendingInterruptIsSetAsideAndRestored() throws Exception {
        Thread.currentThread().interrupt();
        boolean inside = withToken(CancelToken.never(), () -> Thread.currentThread().isInterrupted());
        assertThat(inside).isFalse();
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> withToken(null, () -> 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("token");
        assertThatThrownBy(() -> withToken(CancelToken.create(), null)).isInstanceOf(NullPointerException.class)
                .hasMessage("body");
        CancelToken foreign = new CancelToken() {
            public CancelToken child() { return this; }
            public CancelToken childWithTimeout(Duration timeout) { return this; }
            public CancelToken childWithDeadline(java.time.Instant deadline) { return this; }
            public void cancel() { }
            public void cancel(Throwable reason) { }
            public Throwable reason() { return null; }
            public boolean cancelled() { return false; }
            public void throwIfCancelled() { }
            public AutoCloseable onCancel(Runnable callback) { return () -> { }; }
        };
        assertThatThrownBy(() -> withToken(foreign, () -> 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Molt token");
    }
}
