package dev.molt.stress;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.molt.CancelToken;
import dev.molt.CancelledException;
import dev.molt.MoltRuntime;
import dev.molt.Scope;
import dev.molt.Task;
import dev.molt.TaskDump;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Minimal, deterministic (or nearly so) reproductions of bugs found in the foundation by the stress work. Each
 * test states the contract it checks and, in its comment, the interleaving and the lines at fault.
 */
@Timeout(30)
class FoundationBugReproTest {

    /**
     * The dump finds tasks by walking the token tree. Token.tellListeners (Token.java, "Cancelled alone, a token
     * needs nothing more from its live parent") detaches a token cancelled alone from its live parent, at once.
     * So a task cancelled by Task.cancel() that is still running (here: a shielded clean-up) disappears from the
     * dump, although counts().live() still counts it: exactly the moment a dump is wanted (a stuck cancellation).
     */
    @Test
    void aCancelledTaskStillRunningStaysVisibleInTheDump() throws Exception {
        MoltRuntime rt = MoltRuntime.create("dump-cancelled");
        try {
            CountDownLatch inCleanup = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Task<Void> t = rt.run(() -> spawn("stuck-cleanup", () -> {
                try {
                    sleep(Duration.ofMinutes(5));
                } finally {
                    withToken(CancelToken.never(), () -> {
                        inCleanup.countDown();
                        release.await();
                        return null;
                    });
                }
            }));
            awaitParked(t);
            t.cancel();
            assertThat(inCleanup.await(5, TimeUnit.SECONDS)).isTrue();
            TaskDump dump = rt.dump();
            release.countDown();
            catchThrowable(t::join);
            assertThat(dump.counts().live()).isEqualTo(1);
            assertThat(dump.allTasks()).as("dump while the cancelled task runs its clean-up:%n%s", dump)
                    .extracting(TaskDump.TaskNode::name).containsExactly("stuck-cleanup");
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /** The same for a scope cancelled by its own Scope.cancel(): its still-running tasks vanish from the dump. */
    @Test
    void tasksOfAScopeCancelledByItselfStayVisibleInTheDump() throws Exception {
        MoltRuntime rt = MoltRuntime.create("dump-scope-cancelled");
        try {
            CountDownLatch inCleanup = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<TaskDump> dump = new AtomicReference<>();
            Thread dumper = Thread.ofVirtual().start(() -> {
                try {
                    inCleanup.await();
                    dump.set(rt.dump());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    release.countDown();
                }
            });
            rt.run(() -> scope(s -> {
                s.spawn("worker", () -> {
                    try {
                        sleep(Duration.ofMinutes(5));
                    } finally {
                        withToken(CancelToken.never(), () -> {
                            inCleanup.countDown();
                            release.await();
                            return null;
                        });
                    }
                });
                sleep(Duration.ofMillis(50));
                s.cancel();
                return null;
            }));
            dumper.join();
            assertThat(dump.get().counts().live()).isEqualTo(1);
            assertThat(dump.get().allTasks()).as("dump while the scope waits for its cancelled task:%n%s", dump.get())
                    .extracting(TaskDump.TaskNode::name).containsExactly("worker");
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A timeout scope that ends before its limit leaves its DeadlineTimer entry scheduled until the limit: the
     * scope only detaches its token (ScopeImpl.close), never cancels it, so DeadlineTimer's TimerRemoval never
     * runs. The timer's queue keeps the scope's token (and, through the lambda, everything it references) for the
     * whole limit: {@code timeout(Duration.ofHours(1), quickBody)} in a loop grows the heap without bound.
     */
    @Test
    void aTimeoutScopeThatEndedEarlyIsNotKeptByItsTimer() throws Exception {
        AtomicReference<WeakReference<CancelToken>> ref = new AtomicReference<>();
        int v = timeout(Duration.ofHours(1), () -> {
            ref.set(new WeakReference<>(currentToken()));
            return 42;
        });
        assertThat(v).isEqualTo(42);
        for (int i = 0; i < 50 && ref.get().get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(ref.get().get()).as("the ended timeout scope's token is still reachable (from the timer)").isNull();
    }

    /**
     * API: "If the scope ended because a token above it was cancelled, scope throws CancelledException."
     * Task.cancel() runs Token.cancel: mark(task token) interrupts the task's thread (TaskToken.onCancelled), and
     * only afterwards does the breadth-first walk reach the scope's token. If the interrupted body looks at its
     * scope's token in that window, ScopeImpl.run takes the InterruptedException for an interrupt of the body's
     * own ("interrupted = bodyError instanceof InterruptedException && !token.cancelled()"), cancels the scope
     * with an InterruptedException of its own, and the scope throws InterruptedException. The window is widened
     * here, deterministically, by a cancel callback on the task's token that takes 300 ms (callbacks run in the
     * cancelling thread, before the walk goes one level deeper).
     */
    @Test
    void aScopeInACancelledTaskThrowsCancelledExceptionNotInterruptedException() throws Exception {
        AtomicReference<Throwable> thrownByScope = new AtomicReference<>();
        CountDownLatch inBody = new CountDownLatch(1);
        Task<Void> t = spawn(() -> {
            currentToken().onCancel(() -> busyWait(300)); // a slow but legal callback (closes a socket, say)
            withToken(currentToken().child(), () -> {
                try {
                    return scope(s -> {
                        inBody.countDown();
                        Thread.sleep(60_000); // a JDK blocking call in the body
                        return null;
                    });
                } catch (Throwable e) {
                    thrownByScope.set(e);
                    throw e;
                }
            });
        });
        inBody.await();
        Thread.sleep(50);
        t.cancel();
        catchThrowable(t::join);
        assertThat(t.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(thrownByScope.get()).isInstanceOf(CancelledException.class);
    }

    /**
     * The same window when the body has already ended and the scope is waiting for its tasks
     * (ScopeImpl.awaitTasks: "if (!token.cancelled()) cancelOwn(...InterruptedException...)").
     */
    @Test
    void aWaitingScopeInACancelledTaskThrowsCancelledExceptionNotInterruptedException() throws Exception {
        AtomicReference<Throwable> thrownByScope = new AtomicReference<>();
        CountDownLatch waiting = new CountDownLatch(1);
        Task<Void> t = spawn(() -> {
            currentToken().onCancel(() -> busyWait(300));
            withToken(currentToken().child(), () -> {
                try {
                    return scope(s -> {
                        s.spawn(() -> withToken(CancelToken.never(), () -> {
                            waiting.countDown();
                            Thread.sleep(500); // outlives the window, so the scope is parked in awaitTasks
                            return null;
                        }));
                        return null;
                    });
                } catch (Throwable e) {
                    thrownByScope.set(e);
                    throw e;
                }
            });
        });
        waiting.await();
        Thread.sleep(50);
        t.cancel();
        catchThrowable(t::join);
        assertThat(t.state()).isEqualTo(Task.State.CANCELLED);
        assertThat(thrownByScope.get()).isInstanceOf(CancelledException.class);
    }

    /**
     * API: "If it was cancelled by its own Scope.cancel() and nothing failed, scope returns the body's value."
     * ScopeImpl.cancelOwn does OWN_CANCEL.compareAndSet(null, c) and then token.cancel(c) as two steps. Two
     * concurrent Scope.cancel() calls: A wins ownCancel, B loses it but wins the token's CAS (A is between its
     * two steps). The token's cancellation is B's, which is not ownCancel, so ScopeImpl.outcome classifies it as
     * "scope cancelled from outside" and throws CancelledException. The same race between a task's failure and
     * Scope.cancel() (or two failures) turns a TaskFailedException into that CancelledException. Hammered here
     * with several platform threads cancelling at once; a single bad round is the bug.
     */
    @Test
    void concurrentScopeCancelsStillReturnTheBodysValue() throws Exception {
        int threads = 4;
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Seeds.budgetMillis(2500));
        int bad = 0;
        Throwable example = null;
        for (int r = 0; System.nanoTime() < until && bad == 0; r++) {
            CyclicBarrier go = new CyclicBarrier(threads);
            Throwable err = null;
            try {
                String v = scope(s -> {
                    Thread[] ts = new Thread[threads];
                    for (int i = 0; i < threads; i++) {
                        ts[i] = Thread.ofPlatform().start(() -> {
                            awaitQuietly(go);
                            s.cancel();
                        });
                    }
                    for (Thread th : ts) {
                        th.join();
                    }
                    return "value";
                });
                assertThat(v).isEqualTo("value");
            } catch (CancelledException e) {
                err = e;
            }
            if (err != null) {
                bad++;
                example = err;
            }
        }
        assertThat(example).as("a scope cancelled only by its own Scope.cancel() threw").isNull();
    }

    /**
     * The same cancelOwn race between two tasks of a scope that fail at the same moment: the second failure's
     * cancelOwn loses OWN_CANCEL but wins the token, and the scope throws CancelledException("scope cancelled from
     * outside") with the failures suppressed, instead of TaskFailedException. Nothing outside was cancelled.
     */
    @Test
    void simultaneousFailuresAreThrownAsTaskFailedException() throws Exception {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Seeds.budgetMillis(2500));
        Throwable wrong = null;
        int round = 0;
        for (; System.nanoTime() < until && wrong == null; round++) {
            CyclicBarrier go = new CyclicBarrier(3);
            try {
                scope(s -> {
                    for (int i = 0; i < 3; i++) {
                        s.spawn(() -> {
                            awaitQuietly(go);
                            throw new IllegalStateException("boom");
                        });
                    }
                    return null;
                });
            } catch (dev.molt.TaskFailedException expected) {
                // right
            } catch (Throwable e) {
                wrong = e;
            }
        }
        assertThat(wrong).as("what a scope whose tasks failed threw (round %d)", round).isNull();
    }

    /**
     * API: "Tasks spawned in it (s.spawn(...), ...) belong to it" and the scope's cancellation cancels them.
     * Scope.spawn (ScopeImpl.spawn) makes the task's token a child of the caller's current token, not of the
     * scope's token; called from a thread that is not inside the scope (handing the Scope to a worker pool, a
     * callback, another task), the task belongs to the scope (the scope waits for it) but Scope.cancel() and the
     * scope's failure never reach it: the scope hangs until the task ends by itself.
     */
    @Test
    void aTaskSpawnedThroughTheScopeFromAnotherThreadIsCancelledWithTheScope() throws Exception {
        AtomicReference<Task<String>> task = new AtomicReference<>();
        long t0 = System.nanoTime();
        scope(s -> {
            Thread.ofPlatform().start(() -> task.set(s.spawn(() -> {
                try {
                    sleep(Duration.ofSeconds(3));
                    return "slept";
                } catch (CancelledException e) {
                    return "cancelled";
                }
            }))).join();
            s.cancel();
            return null;
        });
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(task.get().join()).isEqualTo("cancelled");
        assertThat(ms).isLessThan(2000);
    }

    /**
     * API: "closing the handle deregisters it". Once a token is cancelled its listeners live on in the
     * {@code Closed} snapshot (Token.tellListeners: {@code new Closed(ls)}); CallbackRegistration.close() after the
     * callback ran loses its CAS and returns without removeListener, and nothing else ever removes a fired callback
     * (or an already-told plain child token). So a cancelled token keeps every callback registered before the cancel,
     * and whatever it captured, for as long as the token is reachable (a kept Task handle, a long-lived request
     * token), and listenerCount() never returns to 0.
     */
    @Test
    void firedAndClosedCallbacksDoNotStayRegisteredOnACancelledToken() throws Exception {
        dev.molt.internal.Token t = dev.molt.internal.Token.create();
        AutoCloseable a = t.onCancel(() -> { });
        AutoCloseable b = t.onCancel(() -> { });
        t.cancel();
        a.close();
        b.close();
        assertThat(t.listenerCount()).as("listeners left on a cancelled token whose handles are all closed").isZero();
    }

    /**
     * Token.cancel is iterative "so deep trees cannot overflow the stack", but the dump is not: Dumps.Children.collect
     * recurses once per plain token (and Dumps.task once per task level). A deep chain of tokens (here 50,000
     * nested child() tokens, or as many nested withToken/child levels in recursive code) makes
     * MoltRuntime.dump() throw StackOverflowError, in the thread asking for a diagnosis.
     */
    @Test
    void theDumpOfADeepTokenChainDoesNotOverflowTheStack() throws Exception {
        MoltRuntime rt = MoltRuntime.create("deep-dump");
        CancelToken t = rt.rootToken();
        for (int i = 0; i < 50_000; i++) {
            t = t.child();
        }
        CancelToken deepest = t;
        Task<Void> task = rt.run(() -> withToken(deepest, () -> spawn("deep", () -> sleep(Duration.ofMinutes(1)))));
        try {
            Throwable thrown = catchThrowable(() -> rt.dump());
            assertThat(thrown).as("dump() of a 50,000-deep token chain").isNull();
        } finally {
            task.cancel();
            catchThrowable(task::join);
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * API: in withToken(CancelToken.never(), ...) "an interrupt that came from Task.cancel() is set aside for the
     * block". Structured.withToken shields only when CurrentContext has a task; MoltRuntime.run binds the runtime's
     * root context (task null), so code inside a task that goes through {@code MoltRuntime.current().run(...)} (a
     * library, an integration) and then shields is not shielded: TaskImpl.interruptForCancel finds shield NORMAL and
     * interrupts the thread inside the block, and the clean-up's JDK blocking call throws InterruptedException.
     */
    @Test
    void aShieldInsideMoltRuntimeRunInATaskIsStillAShield() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        AtomicReference<Throwable> insideError = new AtomicReference<>();
        Task<Void> t = spawn(() -> {
            MoltRuntime.current().run(() -> withToken(CancelToken.never(), () -> {
                inside.countDown();
                try {
                    Thread.sleep(300); // clean-up work that must not be interrupted
                } catch (InterruptedException e) {
                    insideError.set(e);
                }
                return null;
            }));
        });
        inside.await();
        Thread.sleep(50);
        t.cancel();
        catchThrowable(t::join);
        assertThat(insideError.get()).as("interrupt delivered inside the shielded block").isNull();
    }

    /**
     * Deadlines of the whole JVM are fired by one timer thread (DeadlineTimer: ScheduledThreadPoolExecutor(1)), and
     * Token.cancel runs the cancel callbacks of the whole subtree synchronously in the cancelling thread, here that
     * timer thread. One slow callback under one timeout (closing a socket, flushing a log) delays every other
     * deadline of every runtime: below, an unrelated 50 ms timeout fires about a second late.
     */
    @Test
    void aSlowCancelCallbackUnderOneDeadlineDoesNotDelayOtherDeadlines() throws Exception {
        CountDownLatch slowStarted = new CountDownLatch(1);
        Thread slow = Thread.ofVirtual().start(() -> {
            try {
                timeout(Duration.ofMillis(10), () -> {
                    currentToken().onCancel(() -> {
                        slowStarted.countDown();
                        busyWait(1000);
                    });
                    sleep(Duration.ofSeconds(5));
                    return null;
                });
            } catch (Exception expected) {
                // it times out
            }
        });
        assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        Throwable thrown = catchThrowable(() -> timeout(Duration.ofMillis(50), () -> {
            sleep(Duration.ofSeconds(5));
            return null;
        }));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        slow.join();
        assertThat(thrown).isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(ms).as("an unrelated 50 ms timeout took %d ms", ms).isLessThan(500);
    }

    static void busyWait(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    static void awaitQuietly(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void awaitParked(Task<?> t) throws InterruptedException {
        Thread.sleep(100);
    }
}
