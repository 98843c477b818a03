package dev.molt.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * A blocked Molt.sleep, Task.join and a scope waiting for its task each wake within a generous bound (1 s) on
 * cancellation, for every way of cancelling: a plain token cancel, Task.cancel, Scope.cancel, a timeout's
 * deadline, runtime shutdown. (The build runs the suite once per carrier.)
 */
@Timeout(30)
class WakeOnCancelTest {
    private static final long BOUND_MILLIS = 1000;

    enum Op { SLEEP, JOIN, SCOPE_WAIT }

    enum Way { TOKEN, TASK_CANCEL, SCOPE_CANCEL, TIMEOUT, SHUTDOWN }

    @ParameterizedTest
    @EnumSource(Way.class)
    void sleepWakes(Way way) throws Exception {
        wakes(Op.SLEEP, way);
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void joinWakes(Way way) throws Exception {
        wakes(Op.JOIN, way);
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void scopeWaitWakes(Way way) throws Exception {
        wakes(Op.SCOPE_WAIT, way);
    }

    private void wakes(Op op, Way way) throws Exception {
        MoltRuntime rt = MoltRuntime.create("wake-" + op + "-" + way);
        CountDownLatch releaseJoined = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicLong wokeAt = new AtomicLong();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        // a task that nothing here cancels, for JOIN to wait on: under a token of its own
        Task<Void> joined = rt.run(() -> Molt.withToken(CancelToken.create(),
                () -> Molt.spawn(() -> {
                    releaseJoined.await();
                })));
        dev.molt.Action blocker = () -> {
            blocked.countDown();
            try {
                switch (op) {
                    case SLEEP -> Molt.sleep(Duration.ofMinutes(5));
                    case JOIN -> joined.join();
                    case SCOPE_WAIT -> Molt.scope(s -> {
                        s.spawn(() -> Molt.sleep(Duration.ofMinutes(5)));
                        return null;
                    });
                }
            } catch (Throwable e) {
                ended.set(e);
                throw e;
            } finally {
                wokeAt.set(System.nanoTime());
            }
        };
        CancelToken plain = CancelToken.create();
        AtomicReference<Task<Void>> task = new AtomicReference<>();
        AtomicLong cancelledAt = new AtomicLong();
        Thread driver = Thread.ofVirtual().start(() -> {
            try {
                rt.run(() -> {
                    switch (way) {
                        case TOKEN -> Molt.withToken(plain, () -> {
                            task.set(Molt.spawn(blocker::run));
                            return null;
                        });
                        case TASK_CANCEL, SHUTDOWN -> task.set(Molt.spawn(blocker::run));
                        case SCOPE_CANCEL -> Molt.scope(s -> {
                            task.set(s.spawn(blocker::run));
                            blocked.await();
                            Thread.sleep(30);
                            cancelledAt.set(System.nanoTime());
                            s.cancel();
                            return null;
                        });
                        case TIMEOUT -> {
                            try {
                                cancelledAt.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
                                Molt.timeout(Duration.ofMillis(200), () -> {
                                    task.set(Molt.spawn(blocker::run));
                                    return null;
                                });
                            } catch (java.util.concurrent.TimeoutException expected) {
                                // the deadline is the way of cancelling here
                            }
                        }
                    }
                    return null;
                });
            } catch (Exception e) {
                ended.compareAndSet(null, e);
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(30); // let it park
        switch (way) {
            case TOKEN -> {
                cancelledAt.set(System.nanoTime());
                plain.cancel();
            }
            case TASK_CANCEL -> {
                cancelledAt.set(System.nanoTime());
                waitFor(task).cancel();
            }
            case SHUTDOWN -> {
                cancelledAt.set(System.nanoTime());
                Thread sd = Thread.ofVirtual().start(() -> {
                    try {
                        rt.shutdown(Duration.ofSeconds(10));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                waitFor(task).toFuture().handle((v, e) -> null).get(5, TimeUnit.SECONDS);
                releaseJoined.countDown();
                sd.join();
            }
            case TIMEOUT -> { } // measured from the deadline
            case SCOPE_CANCEL -> { }
        }
        Task<Void> t = waitFor(task);
        Throwable joinError = null;
        try {
            t.toFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
            joinError = e;
        }
        driver.join();
        releaseJoined.countDown();
        joined.toFuture().handle((v, e) -> null).get(5, TimeUnit.SECONDS);
        long from = cancelledAt.get();
        long ms = TimeUnit.NANOSECONDS.toMillis(wokeAt.get() - from);
        assertThat(ms).as("%s woke %d ms after %s", op, ms, way).isLessThan(BOUND_MILLIS);
        assertThat(ended.get()).as("what the blocked %s threw", op).isInstanceOf(CancelledException.class);
        assertThat(t.state()).isEqualTo(Task.State.CANCELLED);
        if (way != Way.SHUTDOWN) {
            assertThat(rt.shutdown(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(rt.liveTasks()).isZero();
    }

    private static Task<Void> waitFor(AtomicReference<Task<Void>> ref) throws InterruptedException {
        while (ref.get() == null) {
            Thread.sleep(1);
        }
        return ref.get();
    }
}
