package dev.molt;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.molt.internal.Token;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(60)
class RuntimeTest {

    @Test
    void runtimesAreIsolated() throws Exception {
        MoltRuntime rt = MoltRuntime.create("isolated");
        CountDownLatch release = new CountDownLatch(1);
        Task<Void> inside = rt.run(() -> spawn(() -> {
            release.await();
        }));
        assertThat(rt.liveTasks()).isEqualTo(1);
        assertThat(MoltRuntime.defaultRuntime().liveTasks()).isZero();
        assertThat(rt.run(() -> currentToken())).isSameAs(rt.rootToken());
        assertThat(rt.run(MoltRuntime::current)).isSameAs(rt);
        assertThat(rt.run(() -> spawn(MoltRuntime::current).join())).as("tasks inherit the runtime").isSameAs(rt);
        assertThat(MoltRuntime.current()).isSameAs(MoltRuntime.defaultRuntime());
        assertThat(currentToken()).isSameAs(MoltRuntime.defaultRuntime().rootToken());
        release.countDown();
        inside.join();
        assertThat(rt.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(MoltRuntime.defaultRuntime().isShutdown()).isFalse();
    }

    @Test
    void shutdownCancelsWaitsAndRefusesNewWork() throws Exception {
        MoltRuntime rt = MoltRuntime.create();
        CountDownLatch parked = new CountDownLatch(2);
        rt.run(() -> {
            spawn(() -> {
                parked.countDown();
                sleep(Duration.ofMinutes(5));
            });
            spawn(() -> {
                parked.countDown();
                Thread.sleep(300_000); // a JDK call: shutdown interrupts it
            });
            return null;
        });
        parked.await();
        assertThat(rt.run(() -> Molt.shutdown(Duration.ofSeconds(10)))).isTrue();
        assertThat(rt.isShutdown()).isTrue();
        assertThat(rt.rootToken().cancelled()).isTrue();
        assertThat(rt.liveTasks()).isZero();
        assertThatThrownBy(() -> rt.run(() -> spawn(() -> 1))).isInstanceOf(RejectedExecutionException.class);
        assertThat(rt.shutdown(Duration.ZERO)).as("stays shut down; nothing to wait for").isTrue();
        assertThat(rt.toString()).contains("shut down");
        assertThatThrownBy(() -> rt.shutdown(null)).isInstanceOf(NullPointerException.class).hasMessage("grace");
        assertThatThrownBy(() -> rt.shutdown(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shutdownReportsTasksThatDoNotEndInTime() throws Exception {
        MoltRuntime rt = MoltRuntime.create();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Task<Void> stubborn = rt.run(() -> spawn("stubborn", () -> {
            withToken(CancelToken.never(), () -> {
                started.countDown();
                release.await();
                return null;
            });
        }));
        started.await();
        assertThat(rt.shutdown(Duration.ofMillis(50))).isFalse();
        assertThat(rt.dump().allTasks()).as("a cancelled task that still runs is in the dump")
                .extracting(TaskDump.TaskNode::name).containsExactly("stubborn");
        assertThat(rt.dump().root().cancelled()).isTrue();
        release.countDown();
        stubborn.join();
        assertThat(rt.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(rt.dump().allTasks()).isEmpty();
        assertThat(((Token) rt.rootToken()).listenerCount()).as("ended tasks leave a cancelled parent too").isZero();
    }

    @Test
    void aTaskStartingInAnAlreadyCancelledScopeIsInTheDumpAndLeavesIt() throws Exception {
        MoltRuntime rt = MoltRuntime.create("late-starter");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<Void> outer = rt.run(() -> spawn("outer", () -> {
            scope(s -> {
                s.cancel(); // the scope's token is cancelled before its task attaches to it
                s.spawn(() -> withToken(CancelToken.never(), () -> {
                    started.countDown();
                    release.await();
                    return null;
                }));
                return null;
            });
        }));
        started.await();
        TaskDump.TaskNode outerNode = rt.dump().root().tasks().get(0);
        assertThat(outerNode.scopes()).as("the late task is listed under its cancelled scope").singleElement()
                .satisfies(scope -> {
                    assertThat(scope.cancelled()).isTrue();
                    assertThat(scope.tasks()).singleElement().satisfies(t -> assertThat(t.cancelled()).isTrue());
                });
        release.countDown();
        assertThat(outer.join()).as("a scope cancelled by itself returns the body's value").isNull();
        assertThat(rt.dump().allTasks()).isEmpty();
        assertThat(rt.shutdown(Duration.ofSeconds(10))).isTrue();
    }

    @RepeatedTest(200)
    void aParentCancelledBeforeItsTaskStartsShowsOnTheTaskTokenAtOnce() throws Exception {
        CancelToken parent = CancelToken.create();
        CountDownLatch release = new CountDownLatch(1);
        Task<Boolean> task = withToken(parent, () -> spawn(() -> {
            release.await(); // the task may or may not have started when its parent is cancelled
            return cancelled();
        }));
        parent.cancel();
        boolean seen = task.token().cancelled();
        release.countDown();
        assertThat(seen).as("a descendant of a cancelled token is cancelled").isTrue();
        assertThat(task.join()).as("the body sees it too").isTrue();
    }

    @Test
    void dumpShowsTheTreeAndTheCounters() throws Exception {
        MoltRuntime rt = MoltRuntime.create("dumped");
        CountDownLatch ready = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        Task<Object> root = rt.run(() -> spawn("parent", () -> scope(s -> {
            s.spawn("child-a", () -> {
                ready.countDown();
                release.await();
            });
            s.spawn("child-b", () -> supervisorScope(inner -> {
                inner.spawn("grandchild", () -> {
                    ready.countDown();
                    release.await();
                });
                ready.countDown();
                release.await();
                return null;
            }));
            return null;
        })));
        ready.await();
        TaskDump dump = rt.dump();
        assertThat(dump.runtime()).isEqualTo("dumped");
        assertThat(dump.counts().live()).isEqualTo(4);
        assertThat(dump.allTasks()).extracting(TaskDump.TaskNode::name)
                .containsExactlyInAnyOrder("parent", "child-a", "child-b", "grandchild");
        TaskDump.TaskNode parent = dump.root().tasks().get(0);
        assertThat(parent.name()).isEqualTo("parent");
        assertThat(parent.scopes()).singleElement().satisfies(scope -> {
            assertThat(scope.kind()).isEqualTo("scope");
            assertThat(scope.tasks()).extracting(TaskDump.TaskNode::name).containsExactly("child-a", "child-b");
        });
        String text = dump.toString();
        assertThat(text).contains("runtime 'dumped': 4 live", "\"grandchild\" RUNNING", "supervisor");
        release.countDown();
        root.join();
        TaskDump after = rt.dump();
        assertThat(after.counts()).isEqualTo(new TaskDump.Counts(4, 0, 4, 0, 0));
        assertThat(after.root().tasks()).isEmpty();
        assertThat(after.root().scopes()).isEmpty();
        rt.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void countersCountEveryEndState() throws Exception {
        MoltRuntime rt = MoltRuntime.create();
        rt.run(() -> {
            spawn(() -> 1).join();
            Task<Object> f = spawn(() -> {
                throw new IOException("expected");
            });
            assertThatThrownBy(f::join).isInstanceOf(TaskFailedException.class);
            Task<Void> c = spawn(() -> sleep(Duration.ofMinutes(1)));
            c.cancel();
            assertThatThrownBy(c::join).isInstanceOf(CancelledException.class);
            return null;
        });
        assertThat(rt.dump().counts()).isEqualTo(new TaskDump.Counts(3, 0, 1, 1, 1));
        rt.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void anUnjoinedFailedRootTaskIsLoggedOnceAtError() throws Exception {
        List<ILoggingEvent> logged = unobservedFailuresLoggedBy(2, ended -> {
            spawn("forgotten", () -> {
                try {
                    throw new IOException("nobody will join me (expected in this test)");
                } finally {
                    ended.countDown();
                }
            });
            Task<Object> joined = spawn("joined", () -> {
                try {
                    throw new IOException("joined");
                } finally {
                    ended.countDown();
                }
            });
            assertThatThrownBy(joined::join).isInstanceOf(TaskFailedException.class);
        });
        assertThat(logged).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.ERROR);
            assertThat(e.getFormattedMessage()).contains("forgotten");
            assertThat(e.getThrowableProxy().getMessage()).contains("nobody will join me");
        });
    }

    /** A failure that refers to the thread it was made in, as a diagnostic exception might. */
    static final class ThreadHoldingException extends IOException {
        final transient Thread thread = Thread.currentThread();

        ThreadHoldingException(String message) {
            super(message);
        }
    }

    @Test
    void anUnjoinedFailedRootTaskWhoseFailureHoldsItsThreadIsLoggedToo() throws Exception {
        // The thread's Runnable must not keep the task reachable once the task has ended: the Cleaner holds the
        // failure, so a failure that refers to the thread would otherwise keep the task alive, never reported.
        List<ILoggingEvent> logged = unobservedFailuresLoggedBy(1, ended -> spawn("holds-its-thread", () -> {
            try {
                throw new ThreadHoldingException("I hold my thread (expected in this test)");
            } finally {
                ended.countDown();
            }
        }));
        assertThat(logged).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("holds-its-thread"));
    }

    /** A failure that carries the handle of the task that threw it. */
    static final class TaskHoldingException extends IOException {
        final transient Task<?> task;

        TaskHoldingException(Task<?> task) {
            super("I hold my own task (expected in this test)");
            this.task = task;
        }
    }

    @Test
    void anUnjoinedFailedRootTaskWhoseFailureHoldsItsOwnHandleIsLoggedToo() throws Exception {
        List<ILoggingEvent> logged = unobservedFailuresLoggedBy(1, ended -> {
            CompletableFuture<Task<?>> self = new CompletableFuture<>();
            self.complete(spawn("holds-its-handle", () -> {
                try {
                    throw new TaskHoldingException(self.get());
                } finally {
                    ended.countDown();
                }
            }));
        });
        assertThat(logged).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).contains("holds-its-handle");
            assertThat(e.getThrowableProxy().getMessage()).contains(TaskHoldingException.class.getName())
                    .contains("I hold my own task");
            assertThat(e.getThrowableProxy().getStackTraceElementProxyArray()).isNotEmpty();
        });
    }

    /** A failure whose own methods throw, as a careless diagnostic exception might. */
    static final class UnprintableException extends IOException {
        UnprintableException() {
            super("unprintable (expected in this test)");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString (expected in this test)");
        }

        @Override
        public Throwable getCause() {
            throw new IllegalStateException("getCause (expected in this test)");
        }
    }

    @Test
    void aFailureWhoseMethodsThrowStillEndsItsTaskAndIsLogged() throws Exception {
        List<ILoggingEvent> logged = unobservedFailuresLoggedBy(1, ended -> {
            Task<Object> joined = spawn("unprintable-joined", () -> {
                throw new UnprintableException();
            });
            assertThatThrownBy(joined::join).isInstanceOf(TaskFailedException.class)
                    .satisfies(e -> assertThat(e.getCause()).isInstanceOf(UnprintableException.class));
            spawn("unprintable", () -> {
                try {
                    throw new UnprintableException();
                } finally {
                    ended.countDown();
                }
            });
        });
        assertThat(logged).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).contains("Task unprintable failed");
            assertThat(e.getThrowableProxy().getMessage()).contains(UnprintableException.class.getName());
        });
    }

    interface Spawner {
        void spawnTasks(CountDownLatch ended) throws Exception;
    }

    /**
     * Runs {@code spawner} in a new runtime, waits for {@code tasks} count-downs, shuts the runtime down, and collects
     * garbage until the unobserved-failure logger said something (and a little longer, for a second message).
     */
    private static List<ILoggingEvent> unobservedFailuresLoggedBy(int tasks, Spawner spawner) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.molt.UnobservedFailure");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            MoltRuntime rt = MoltRuntime.create();
            CountDownLatch ended = new CountDownLatch(tasks);
            rt.run(() -> {
                spawner.spawnTasks(ended);
                return null;
            });
            ended.await();
            rt.shutdown(Duration.ofSeconds(5));
            for (int i = 0; i < 250 && appender.list.isEmpty(); i++) {
                System.gc();
                Thread.sleep(20);
            }
            Thread.sleep(100);
            System.gc();
            Thread.sleep(100);
            return List.copyOf(appender.list);
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void finishedTasksAreNotKeptReachable() throws Exception {
        MoltRuntime rt = MoltRuntime.create();
        int n = 1_000_000;
        List<WeakReference<Task<Integer>>> sample = new ArrayList<>();
        Runtime jvm = Runtime.getRuntime();
        rt.run(() -> scope(s -> {
            for (int i = 0; i < n; i++) {
                Task<Integer> t = s.spawn(() -> 1);
                if (i % 10_000 == 0) {
                    sample.add(new WeakReference<>(t));
                }
            }
            return null;
        }));
        rt.run(() -> {
            // Root-scope tasks too, joined and dropped.
            for (int i = 0; i < 10_000; i++) {
                Task<Integer> t = spawn(() -> 1);
                t.join();
                if (i % 1_000 == 0) {
                    sample.add(new WeakReference<>(t));
                }
            }
            return null;
        });
        assertThat(rt.liveTasks()).isZero();
        assertThat(((Token) rt.rootToken()).listenerCount()).as("no finished task left in the root token")
                .isZero();
        for (int i = 0; i < 50 && sample.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(sample).allMatch(r -> r.get() == null);
        System.gc();
        long used = jvm.totalMemory() - jvm.freeMemory();
        assertThat(used).as("heap after 1,000,000 finished tasks").isLessThan(256L << 20);
        assertThat(rt.dump().counts().spawned()).isEqualTo(n + 10_000L);
        rt.shutdown(Duration.ofSeconds(5));
    }

    /** shutdown interrupts tasks blocked in JDK calls also below a token that a plain cancel reached first. */
    @Test
    void shutdownInterruptsTasksBelowAPlainlyCancelledToken() throws Exception {
        MoltRuntime rt = MoltRuntime.create("plain-then-shutdown");
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch never = new CountDownLatch(1);
        Task<?>[] tasks = rt.run(() -> withToken(rt.rootToken(), () -> {
            Task<Void> direct = spawn(() -> {
                started.countDown();
                never.await();
            });
            Task<Void> nested = spawn(() -> scope(s -> {
                s.spawn(() -> {
                    started.countDown();
                    never.await();
                });
                s.token().cancel(); // plain, from the scope's body: its task stays blocked
                return null;
            }));
            return new Task<?>[] {direct, nested};
        }));
        started.await();
        tasks[0].token().cancel(); // plain
        try {
            assertThat(rt.shutdown(Duration.ofSeconds(10))).isTrue();
        } finally {
            never.countDown();
        }
    }

    /** A task that shuts its own runtime down waits for the others, then answers false (it still runs). */
    @Test
    void shutdownFromATaskOfTheRuntimeWaitsForTheOthersAndAnswersFalse() throws Exception {
        MoltRuntime rt = MoltRuntime.create("self-shutdown");
        AtomicReference<Object> answer = new AtomicReference<>();
        AtomicBoolean interruptRestored = new AtomicBoolean();
        Task<Void> other = rt.run(() -> spawn(() -> sleep(Duration.ofMinutes(1))));
        Task<Void> self = rt.run(() -> spawn(() -> {
            try {
                answer.set(rt.shutdown(Duration.ofSeconds(10)));
                interruptRestored.set(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                answer.set(e);
            }
        }));
        self.toFuture().exceptionally(e -> null).get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answer.get()).isEqualTo(Boolean.FALSE);
        assertThat(interruptRestored).isTrue();
        assertThat(other.isDone()).isTrue();
    }

    /** API.md: the root token is cancelled only by shutdown; a plain cancel of it is refused and changes nothing. */
    @Test
    void theRootTokenRefusesAPlainCancel() throws Exception {
        MoltRuntime rt = MoltRuntime.create("root-refuses");
        rt.run(() -> {
            assertThatThrownBy(() -> currentToken().cancel()).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("shutdown");
            assertThatThrownBy(() -> currentToken().cancel(new IllegalStateException("x")))
                    .isInstanceOf(UnsupportedOperationException.class);
            return null;
        });
        assertThat(rt.rootToken().cancelled()).isFalse();
        assertThat(rt.run(() -> spawn(Molt::cancelled)).join()).isFalse();
        assertThat(rt.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThat(rt.rootToken().cancelled()).isTrue();
    }

    /**
     * A failed root task that is joined lets go of its failure: if the failure refers back to the task (or to its
     * thread, which refers to the task), the task must still be collectable once its handle is dropped.
     */
    @Test
    void aJoinedFailedRootTaskIsCollectedEvenIfItsFailureRefersBackToIt() throws Exception {
        AtomicReference<Task<?>> self = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        Task<Object> byHandle = spawn(() -> {
            go.await();
            throw new FailureWithContext(self.get()); // say, a job object holding its task
        });
        self.set(byHandle);
        go.countDown();
        Task<Object> byThread = spawn(() -> {
            throw new FailureWithContext(Thread.currentThread()); // an exception that records its thread
        });
        for (Task<Object> t : List.of(byHandle, byThread)) {
            while (!t.isDone()) {
                Thread.sleep(1); // failed before anyone joined: watched as a possibly unobserved failure
            }
            assertThatThrownBy(t::join).isInstanceOf(TaskFailedException.class)
                    .hasCauseInstanceOf(FailureWithContext.class);
        }
        self.set(null);
        List<WeakReference<Task<Object>>> refs = List.of(new WeakReference<>(byHandle), new WeakReference<>(byThread));
        byHandle = null;
        byThread = null;
        for (int i = 0; i < 50 && refs.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(refs).allMatch(r -> r.get() == null);
    }

    private static final class FailureWithContext extends RuntimeException {
        private final transient Object context;

        FailureWithContext(Object context) {
            super("failed in " + context);
            this.context = context;
        }
    }

    /**
     * A thread given a task's uncaught-exception handler (thread factories copy their creator's) is not the task:
     * it sees no task context, and its withToken does not change the task's.
     */
    @Test
    void aThreadGivenATasksHandlerIsNotTakenForTheTask() throws Exception {
        CancelToken root = MoltRuntime.defaultRuntime().rootToken();
        CancelToken foreign = CancelToken.create();
        AtomicReference<CancelToken> outsiderSaw = new AtomicReference<>();
        AtomicReference<CancelToken> taskOwn = new AtomicReference<>();
        AtomicReference<CancelToken> taskSawMeanwhile = new AtomicReference<>();
        spawn(() -> {
            taskOwn.set(currentToken());
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread outsider = new Thread(() -> {
                outsiderSaw.set(currentToken());
                try {
                    withToken(foreign, () -> {
                        inside.countDown();
                        release.await();
                        return null;
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            outsider.setUncaughtExceptionHandler(Thread.currentThread().getUncaughtExceptionHandler());
            outsider.start();
            inside.await();
            taskSawMeanwhile.set(currentToken());
            release.countDown();
            outsider.join();
        }).join();
        assertThat(outsiderSaw.get()).isSameAs(root);
        assertThat(taskSawMeanwhile.get()).isSameAs(taskOwn.get());
    }

    /** A scope whose body replaced its task thread's handler fails clearly instead of letting a task escape it. */
    @Test
    void aScopeWhoseBodyReplacedItsTaskThreadsHandlerFailsClearly() throws Exception {
        AtomicReference<Task<?>> escaped = new AtomicReference<>();
        Task<Void> t = spawn(() -> {
            scope(s -> {
                Thread.currentThread().setUncaughtExceptionHandler((thread, e) -> { });
                escaped.set(spawn(() -> sleep(Duration.ofMillis(100))));
                return null;
            });
        });
        assertThatThrownBy(t::join).isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("uncaught-exception handler");
        escaped.get().join();
    }

    /** A task of runtime A spawned under a token of runtime B is in A's dump, not in B's (which does not count it). */
    @Test
    void aTaskOfAnotherRuntimeIsNotInThisRuntimesDump() throws Exception {
        MoltRuntime a = MoltRuntime.create("a");
        MoltRuntime b = MoltRuntime.create("b");
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            CancelToken bToken = b.rootToken().child();
            Task<Void> t = a.run(() -> withToken(bToken, () -> spawn("of-a", () -> {
                ready.countDown();
                release.await();
            })));
            ready.await();
            TaskDump bd = b.dump();
            TaskDump ad = a.dump();
            assertThat(ad.allTasks()).extracting(TaskDump.TaskNode::name).containsExactly("of-a");
            assertThat(bd.counts().live()).isZero();
            assertThat(bd.allTasks()).as(bd.toString()).isEmpty();
            release.countDown();
            t.join();
        } finally {
            release.countDown();
            a.shutdown(Duration.ofSeconds(5));
            b.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A scope opened under a token from outside the runtime (a user's, or never() in the clean-up idiom
     * withToken(never(), () -> scope(...))) is in the dump, with its tasks.
     */
    @Test
    void tasksOfAScopeOpenedUnderATokenFromOutsideAreInTheDump() throws Exception {
        for (CancelToken outside : List.of(CancelToken.create(), CancelToken.never())) {
            MoltRuntime rt = MoltRuntime.create("outside-token-scope");
            CountDownLatch ready = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            try {
                Task<Object> outer = rt.run(() -> spawn("outer", () -> withToken(outside, () -> scope(s -> {
                    s.spawn("inner", () -> {
                        ready.countDown();
                        release.await();
                    });
                    return null;
                }))));
                ready.await();
                TaskDump dump = rt.dump();
                assertThat(dump.counts().live()).isEqualTo(2);
                assertThat(dump.allTasks()).as(dump.toString()).extracting(TaskDump.TaskNode::name)
                        .containsExactlyInAnyOrder("outer", "inner");
                release.countDown();
                outer.join();
            } finally {
                release.countDown();
                rt.shutdown(Duration.ofSeconds(5));
            }
        }
    }

    /** A chain of tasks, each spawned by the one before (a pipeline, a recursive process): the dump must not throw. */
    @Test
    void aDeepChainOfTasksCanBeDumped() throws Exception {
        MoltRuntime rt = MoltRuntime.create("deep");
        int depth = 3000;
        CountDownLatch ready = new CountDownLatch(depth);
        CountDownLatch release = new CountDownLatch(1);
        try {
            Task<Void> head = rt.run(() -> spawn("link", () -> chainOfTasks(depth - 1, ready, release)));
            ready.await();
            TaskDump d = rt.dump(); // threw StackOverflowError when it recursed per level
            assertThat(d.allTasks()).hasSize(depth);
            String text = d.toString();
            // One line per task, none longer than the indentation cap plus the depth label and the task itself:
            // the text grows with the number of tasks, not with its square (it was 9 MB for this chain).
            assertThat(text.lines()).hasSize(depth + 2); // the counters, the root scope, the tasks
            assertThat(text.lines().mapToInt(String::length).max().orElseThrow()).isLessThan(120);
            assertThat(text).contains("\n" + "  ".repeat(32) + "[40] task #");
            List<Integer> depths = new ArrayList<>();
            d.visit(new TaskDump.Visitor() {
                @Override
                public void scope(TaskDump.ScopeNode scope, int at) {
                    depths.add(at);
                }

                @Override
                public void task(TaskDump.TaskNode task, int at) {
                    depths.add(at);
                }
            });
            assertThat(depths).hasSize(depth + 1).isSorted().startsWith(0, 1, 2).endsWith(depth);
            release.countDown();
            head.join();
        } finally {
            release.countDown();
            rt.shutdown(Duration.ofSeconds(20));
        }
    }

    private static void chainOfTasks(int left, CountDownLatch ready, CountDownLatch release) throws Exception {
        Task<Void> next = left > 0 ? spawn("link", () -> chainOfTasks(left - 1, ready, release)) : null;
        ready.countDown();
        release.await();
        if (next != null) {
            next.join();
        }
    }
}
