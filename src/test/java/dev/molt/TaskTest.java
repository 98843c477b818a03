package dev.molt;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TaskTest {

    @Test
    void joinReturnsTheResult() throws Exception {
        Task<String> t = spawn(() -> "hello");
        assertThat(t.join()).isEqualTo("hello");
        assertThat(t.state()).isEqualTo(Task.State.SUCCEEDED);
        assertThat(t.isDone()).isTrue();
        Task<Void> action = spawn(() -> { });
        assertThat(action.join()).isNull();
    }

    @Test
    void aFailedTaskThrowsTaskFailedExceptionWithTheCause() throws Exception {
        IOException boom = new IOException("boom");
        Task<Object> t = spawn(() -> {
            throw boom;
        });
        assertThatThrownBy(t::join).isInstanceOf(TaskFailedException.class).hasCause(boom);
        assertThat(t.state()).isEqualTo(Task.State.FAILED);
    }

    @Test
    void aCancelledTaskThrowsCancelledException() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Task<Void> t = spawn(() -> {
            started.countDown();
            sleep(Duration.ofMinutes(5));
        });
        started.await();
        t.cancel();
        t.cancel(); // idempotent
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
        assertThat(t.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(t.token().cancelled()).isTrue();
    }

    @Test
    void aBodyThatReturnsAfterCancellationSucceeded() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Task<String> t = spawn(() -> {
            started.countDown();
            try {
                sleep(Duration.ofMinutes(5));
                return "slept";
            } catch (CancelledException e) {
                return "noticed";
            }
        });
        started.await();
        t.cancel();
        assertThat(t.join()).isEqualTo("noticed");
        assertThat(t.state()).isEqualTo(Task.State.SUCCEEDED);
    }

    @Test
    void aCancellationExceptionWithoutCancellationIsAFailure() throws Exception {
        Task<Object> t = spawn(() -> {
            throw new CancelledException("not really");
        });
        assertThatThrownBy(t::join).isInstanceOf(TaskFailedException.class);
        assertThat(t.state()).isEqualTo(Task.State.FAILED);
    }

    @Test
    void cancelWakesMoltSleepWithin100ms() throws Exception {
        assertWakesPromptly(() -> {
            sleep(Duration.ofMinutes(5));
            return null;
        });
    }

    @Test
    void cancelWakesAJdkBlockingCallWithin100ms() throws Exception {
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        assertWakesPromptly(queue::take);
        assertWakesPromptly(() -> {
            Thread.sleep(300_000);
            return null;
        });
    }

    @Test
    void cancelWakesAJoinOnAnotherTaskWithin100ms() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<Void> slow = spawn(() -> {
            withToken(CancelToken.never(), () -> {
                release.await();
                return null;
            });
        });
        try {
            assertWakesPromptly(slow::join);
        } finally {
            release.countDown();
            slow.join();
        }
    }

    /** Starts {@code body} as a task, lets it block, cancels it, and checks it ended within 100 ms. */
    private static void assertWakesPromptly(Callable<?> body) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Task<Object> t = spawn(() -> {
            started.countDown();
            return body.call();
        });
        started.await();
        Thread.sleep(20); // let it block
        long t0 = System.nanoTime();
        t.cancel();
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(millis).as("time from cancel to the task's end").isLessThan(100);
    }

    @Test
    void aPlainTokenCancelWakesMoltSleepButInterruptsNothing() throws Exception {
        CancelToken token = CancelToken.create();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        Task<Void> t = withToken(token, () -> spawn(() -> {
            try {
                sleep(Duration.ofMinutes(5));
            } finally {
                interrupted.set(Thread.currentThread().isInterrupted());
            }
        }));
        Thread.sleep(20);
        token.cancel();
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
        assertThat(interrupted.get()).isFalse();
    }

    @Test
    void joinWithATimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<Integer> t = spawn(() -> {
            release.await();
            return 7;
        });
        assertThatThrownBy(() -> t.join(Duration.ofMillis(30))).isInstanceOf(TimeoutException.class);
        release.countDown();
        assertThat(t.join(Duration.ofSeconds(10))).isEqualTo(7);
        assertThatThrownBy(() -> t.join(null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
        assertThatThrownBy(() -> t.join(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void joinIsACancellationPointOfTheCaller() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<Integer> slow = spawn(() -> {
            release.await();
            return 1;
        });
        Task<Integer> done = spawn(() -> 2);
        done.join();
        CancelToken caller = CancelToken.create();
        caller.cancel();
        assertThatThrownBy(() -> withToken(caller, done::join))
                .as("even a join that could complete at once").isInstanceOf(CancelledException.class);
        CancelToken later = CancelToken.create();
        Task<Integer> joiner = withToken(later, () -> spawn(() -> slow.join()));
        Thread.sleep(20);
        later.cancel();
        assertThatThrownBy(joiner::join).isInstanceOf(CancelledException.class);
        assertThat(slow.isDone()).as("the joined task is not cancelled").isFalse();
        release.countDown();
        assertThat(slow.join()).isEqualTo(1);
    }

    @Test
    void toFutureCompletesWithTheOutcome() throws Exception {
        assertThat(spawn(() -> 5).toFuture().get(10, TimeUnit.SECONDS)).isEqualTo(5);
        CompletableFuture<Object> failed = spawn(() -> {
            throw new IOException("x");
        }).toFuture();
        assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TaskFailedException.class).cause().isInstanceOf(IOException.class);
        Task<Void> sleeper = spawn(() -> sleep(Duration.ofMinutes(5)));
        CompletableFuture<Void> f = sleeper.toFuture();
        assertThat(sleeper.toFuture()).isSameAs(f);
        f.cancel(true);
        assertThatThrownBy(sleeper::join).as("cancelling the future cancels the task")
                .isInstanceOf(CancelledException.class);
    }

    @Test
    void namesAndThreads() throws Exception {
        Task<String> named = spawn("fetcher", () -> Thread.currentThread().getName());
        assertThat(named.join()).isEqualTo("fetcher");
        assertThat(named.name()).isEqualTo("fetcher");
        Task<Boolean> unnamed = spawn(() -> Thread.currentThread().isVirtual());
        assertThat(unnamed.join()).isTrue();
        assertThat(unnamed.name()).startsWith("task-");
        assertThat(named.toString()).contains("fetcher", "SUCCEEDED");
    }

    @Test
    void theTaskTokenIsAChildOfTheCurrentToken() throws Exception {
        CancelToken parent = CancelToken.create();
        CountDownLatch started = new CountDownLatch(1);
        Task<Boolean> t = withToken(parent, () -> spawn(() -> {
            started.countDown();
            try {
                sleep(Duration.ofMinutes(5));
                return false;
            } catch (CancelledException e) {
                return currentToken().cancelled();
            }
        }));
        started.await();
        parent.cancel();
        assertThat(t.join()).as("the task saw its own token cancelled").isTrue();
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> spawn((Callable<Object>) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("body");
        assertThatThrownBy(() -> spawn((Action) null)).isInstanceOf(NullPointerException.class).hasMessage("body");
        assertThatThrownBy(() -> spawn(null, () -> 1)).isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> spawn("n", (Action) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("body");
        assertThatThrownBy(() -> sleep(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> sleep(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(MoltRuntime.defaultRuntime().liveTasks()).isZero();
    }

    @Test
    void sleepChecksTheTokenOnEntry() throws Exception {
        CancelToken cancelled = CancelToken.create();
        cancelled.cancel();
        assertThatThrownBy(() -> withToken(cancelled, () -> {
            sleep(Duration.ZERO);
            return null;
        })).isInstanceOf(CancelledException.class);
        sleep(Duration.ofMillis(1));
        checkCancelled();
        assertThat(cancelled()).isFalse();
    }

    @Test
    void hundredThousandTasksSpawnedAndJoined() throws Exception {
        int n = 100_000;
        @SuppressWarnings("unchecked")
        Task<Integer>[] tasks = new Task[n];
        for (int i = 0; i < n; i++) {
            int v = i;
            tasks[i] = spawn(() -> v);
        }
        long sum = 0;
        for (Task<Integer> t : tasks) {
            sum += t.join();
        }
        assertThat(sum).isEqualTo((long) n * (n - 1) / 2);
    }

    /** Task.cancel interrupts the task's thread even when a plain cancel of an ancestor came first. */
    @Test
    void cancelInterruptsEvenAfterAPlainCancelOfAnAncestor() throws Exception {
        CancelToken parent = CancelToken.create();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Task<Void> t = withToken(parent, () -> spawn(() -> {
            started.countDown();
            never.await(); // a JDK blocking call: only an interrupt wakes it
        }));
        started.await();
        parent.cancel(); // plain: interrupts nothing, as documented
        t.cancel();
        assertThatThrownBy(() -> t.join(Duration.ofSeconds(10))).isInstanceOf(CancelledException.class);
        assertThat(t.token().reason()).isInstanceOf(CancelledException.class).hasMessageNotContaining("task");
    }

    /** Task.cancel does nothing once the task has ended: its token may carry follow-up work. */
    @Test
    void cancelAfterTheEndLeavesTheTokenAlone() throws Exception {
        Task<Integer> t = spawn(() -> 1);
        assertThat(t.join()).isEqualTo(1);
        CancelToken followUp = t.token().child();
        t.cancel();
        t.toFuture().cancel(true);
        assertThat(t.state()).isEqualTo(Task.State.SUCCEEDED);
        assertThat(t.token().cancelled()).isFalse();
        assertThat(followUp.cancelled()).isFalse();
        followUp.cancel();
    }
}
