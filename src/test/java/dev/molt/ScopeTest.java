package dev.molt;

import static dev.molt.Molt.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ScopeTest {

    @Test
    void scopeReturnsTheBodysValueAfterEveryTaskEnded() throws Exception {
        AtomicInteger done = new AtomicInteger();
        String v = scope(s -> {
            for (int i = 0; i < 10; i++) {
                s.spawn(() -> {
                    sleep(Duration.ofMillis(20));
                    done.incrementAndGet();
                });
            }
            return "body";
        });
        assertThat(v).isEqualTo("body");
        assertThat(done).hasValue(10);
    }

    @Test
    void scopeWaitsForGrandchildrenSpawnedWithMoltSpawnInsideItsTasks() throws Exception {
        AtomicInteger done = new AtomicInteger();
        scope(s -> {
            spawn(() -> {
                spawn(() -> {
                    spawn(() -> {
                        sleep(Duration.ofMillis(50));
                        done.incrementAndGet();
                    });
                    sleep(Duration.ofMillis(30));
                    done.incrementAndGet();
                });
                done.incrementAndGet();
            });
            return null;
        });
        assertThat(done).hasValue(3);
    }

    @Test
    void theFirstFailureCancelsSiblingsAndIsThrownWithTheRestSuppressed() throws Exception {
        IOException first = new IOException("first");
        AtomicInteger siblingsCancelled = new AtomicInteger();
        CountDownLatch siblingsParked = new CountDownLatch(3);
        assertThatThrownBy(() -> scope(s -> {
            for (int i = 0; i < 3; i++) {
                s.spawn(() -> {
                    siblingsParked.countDown();
                    try {
                        sleep(Duration.ofMinutes(5));
                    } catch (CancelledException e) {
                        siblingsCancelled.incrementAndGet();
                        throw e;
                    }
                });
            }
            s.spawn(() -> {
                siblingsParked.await();
                throw first;
            });
            s.spawn(() -> {
                // fails only in response to the cancellation: a later failure, suppressed
                try {
                    sleep(Duration.ofMinutes(5));
                } catch (CancelledException e) {
                    throw new IllegalStateException("second");
                }
            });
            return null;
        })).isInstanceOf(TaskFailedException.class)
                .hasCause(first)
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .containsExactly("second"));
        assertThat(siblingsCancelled).hasValue(3);
    }

    @Test
    void aFailureInterruptsSiblingsBlockedInJdkCallsButNotTheBodysThread() throws Exception {
        AtomicBoolean bodyInterrupted = new AtomicBoolean();
        AtomicReference<Throwable> siblingSaw = new AtomicReference<>();
        assertThatThrownBy(() -> scope(s -> {
            s.spawn(() -> {
                try {
                    Thread.sleep(300_000);
                } catch (InterruptedException e) {
                    siblingSaw.set(e);
                    throw e;
                }
            });
            s.spawn(() -> {
                Thread.sleep(30);
                throw new IOException("boom");
            });
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                bodyInterrupted.set(true);
            }
            return null;
        })).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
        assertThat(siblingSaw.get()).isInstanceOf(InterruptedException.class);
        assertThat(bodyInterrupted).isFalse();
    }

    @Test
    void cancelledChildrenAreNotFailures() throws Exception {
        int v = scope(s -> {
            Task<Void> t = s.spawn(() -> sleep(Duration.ofMinutes(5)));
            Thread.sleep(10);
            t.cancel();
            assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
            return 1;
        });
        assertThat(v).isEqualTo(1);
    }

    @Test
    void outerCancellationGivesCancelledException() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        Task<Object> outer = spawn(() -> scope(s -> {
            s.spawn(() -> {
                parked.countDown();
                sleep(Duration.ofMinutes(5));
            });
            sleep(Duration.ofMinutes(5));
            return null;
        }));
        parked.await();
        CancelToken tokenOfOuter = outer.token();
        tokenOfOuter.cancel(); // a plain cancel of a token above the scope
        assertThatThrownBy(outer::join).isInstanceOf(CancelledException.class);
        assertThat(outer.state()).isEqualTo(Task.State.CANCELLED);
    }

    @Test
    void outerCancellationWinsOverFailuresThatFollowIt() throws Exception {
        CancelToken above = CancelToken.create();
        CountDownLatch parked = new CountDownLatch(1);
        Task<Object> t = withToken(above, () -> spawn(() -> scope(s -> {
            s.spawn(() -> {
                try {
                    parked.countDown();
                    sleep(Duration.ofMinutes(5));
                } catch (CancelledException e) {
                    throw new IOException("failed while being cancelled");
                }
            });
            return null;
        })));
        parked.await();
        above.cancel();
        assertThatThrownBy(t::join).isInstanceOf(CancelledException.class);
    }

    @Test
    void selfCancelReturnsTheBodysValueOrItsCancelledException() throws Exception {
        String v = scope(s -> {
            s.spawn(() -> sleep(Duration.ofMinutes(5)));
            s.cancel();
            return "done";
        });
        assertThat(v).isEqualTo("done");
        assertThatThrownBy(() -> scope(s -> {
            s.cancel();
            sleep(Duration.ofMinutes(5));
            return "unreachable";
        })).isInstanceOf(CancelledException.class);
    }

    @Test
    void theBodysFailureIsThrownAndCancelsTheTasks() throws Exception {
        AtomicBoolean childCancelled = new AtomicBoolean();
        IllegalArgumentException bad = new IllegalArgumentException("bad");
        assertThatThrownBy(() -> scope(s -> {
            s.spawn(() -> {
                try {
                    sleep(Duration.ofMinutes(5));
                } catch (CancelledException e) {
                    childCancelled.set(true);
                }
            });
            throw bad;
        })).isInstanceOf(TaskFailedException.class).hasCause(bad);
        assertThat(childCancelled).isTrue();
    }

    @Test
    void joiningAFailedTaskInTheBodyDoesNotReportTheFailureTwice() throws Exception {
        IOException boom = new IOException("boom");
        assertThatThrownBy(() -> scope(s -> {
            Task<Object> t = s.spawn(() -> {
                throw boom;
            });
            return t.join();
        })).isInstanceOf(TaskFailedException.class).hasCause(boom)
                .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
    }

    @Test
    void anEndedScopeRefusesNewTasks() throws Exception {
        AtomicReference<Scope> leaked = new AtomicReference<>();
        scope(s -> {
            leaked.set(s);
            return null;
        });
        assertThatThrownBy(() -> leaked.get().spawn(() -> 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> scope(null)).isInstanceOf(NullPointerException.class).hasMessage("body");
    }

    @Test
    void theScopeTokenIsCurrentInTheBodyAndAChildOfTheCallersToken() throws Exception {
        CancelToken outer = currentToken();
        scope(s -> {
            assertThat(currentToken()).isSameAs(s.token()).isNotSameAs(outer);
            return null;
        });
        CancelToken caller = CancelToken.create();
        AtomicBoolean scopeTokenCancelled = new AtomicBoolean();
        assertThatThrownBy(() -> withToken(caller, () -> scope(s -> {
            caller.cancel();
            scopeTokenCancelled.set(s.token().cancelled());
            return null;
        }))).as("cancelled from above").isInstanceOf(CancelledException.class);
        assertThat(scopeTokenCancelled).isTrue();
    }

    @Test
    void aScopeWhoseCallerIsInterruptedCancelsWaitsAndThrowsInterruptedException() throws Exception {
        AtomicBoolean childCancelled = new AtomicBoolean();
        CountDownLatch parked = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                scope(s -> {
                    s.spawn(() -> {
                        try {
                            parked.countDown();
                            sleep(Duration.ofMinutes(5));
                        } catch (CancelledException e) {
                            childCancelled.set(true);
                        }
                    });
                    return null; // the body ends; the scope waits for its task
                });
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        parked.await();
        Thread.sleep(20);
        caller.interrupt();
        caller.join(10_000);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(childCancelled).isTrue();
    }

    // ---------------------------------------------------------------- supervisorScope

    @Test
    void supervisorScopeLetsSiblingsFinishAndThrowsAllFailuresAtTheEnd() throws Exception {
        AtomicInteger finished = new AtomicInteger();
        IOException a = new IOException("a");
        IOException b = new IOException("b");
        assertThatThrownBy(() -> supervisorScope(s -> {
            s.spawn(() -> {
                throw a;
            });
            s.spawn(() -> {
                sleep(Duration.ofMillis(30));
                throw b;
            });
            for (int i = 0; i < 3; i++) {
                s.spawn(() -> {
                    sleep(Duration.ofMillis(60));
                    finished.incrementAndGet();
                });
            }
            return null;
        })).isInstanceOf(TaskFailedException.class).hasCause(a)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(b));
        assertThat(finished).hasValue(3);
    }

    @Test
    void supervisorScopeReturnsTheValueWhenNothingFailed() throws Exception {
        int v = supervisorScope(s -> s.spawn(() -> 4).join() + 1);
        assertThat(v).isEqualTo(5);
    }

    @Test
    void aSupervisorBodysFailureCancelsTheChildren() throws Exception {
        AtomicBoolean cancelled = new AtomicBoolean();
        assertThatThrownBy(() -> supervisorScope(s -> {
            s.spawn(() -> {
                try {
                    sleep(Duration.ofMinutes(5));
                } catch (CancelledException e) {
                    cancelled.set(true);
                }
            });
            throw new IOException("body");
        })).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
        assertThat(cancelled).isTrue();
    }

    // ---------------------------------------------------------------- timeout

    @Test
    void timeoutThrowsTimeoutExceptionAndLeavesNoRunningChildren() throws Exception {
        AtomicInteger running = new AtomicInteger();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> timeout(Duration.ofMillis(50), () -> {
            for (int i = 0; i < 5; i++) {
                spawn(() -> {
                    running.incrementAndGet();
                    try {
                        Thread.sleep(300_000); // a JDK call: woken by the interrupt
                    } finally {
                        running.decrementAndGet();
                    }
                });
            }
            sleep(Duration.ofMinutes(5));
            return null;
        })).isInstanceOf(TimeoutException.class);
        assertThat(running).as("no child still running when timeout returns").hasValue(0);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void timeoutThrowsEvenIfTheBodySwallowedTheCancellation() throws Exception {
        assertThatThrownBy(() -> timeout(Duration.ofMillis(20), () -> {
            try {
                sleep(Duration.ofMinutes(5));
            } catch (CancelledException swallowed) {
                // pretend nothing happened
            }
            return "value";
        })).isInstanceOf(TimeoutException.class);
    }

    @Test
    void timeoutReturnsTheValueInTimeAndThrowsFailuresLikeScope() throws Exception {
        int v = timeout(Duration.ofSeconds(10), () -> spawn(() -> 3).join());
        assertThat(v).isEqualTo(3);
        assertThatThrownBy(() -> timeout(Duration.ofSeconds(10), () -> {
            throw new IOException("x");
        })).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> timeout(Duration.ofMillis(-1), () -> 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> timeout(null, () -> 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> timeout(Duration.ZERO, () -> {
            checkCancelled();
            return 1;
        })).isInstanceOf(TimeoutException.class);
    }

    // ---------------------------------------------------------------- par and race

    @Test
    void parReturnsResultsInOrder() throws Exception {
        List<Callable<Integer>> bodies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int v = i;
            bodies.add(() -> {
                sleep(Duration.ofMillis(20 - v));
                return v;
            });
        }
        List<Integer> results = par(bodies);
        assertThat(results).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
        assertThat(par(List.of(() -> null))).containsExactly((Object) null);
        assertThat(par(List.<Callable<Integer>>of())).isEmpty();
    }

    @Test
    void parThrowsTheFirstFailureAndCancelsTheRest() throws Exception {
        AtomicInteger cancelled = new AtomicInteger();
        IOException boom = new IOException("boom");
        assertThatThrownBy(() -> par(List.<Callable<Object>>of(
                () -> {
                    sleep(Duration.ofMillis(10));
                    throw boom;
                },
                () -> {
                    try {
                        sleep(Duration.ofMinutes(5));
                    } catch (CancelledException e) {
                        cancelled.incrementAndGet();
                        throw e;
                    }
                    return null;
                }))).isInstanceOf(TaskFailedException.class).hasCause(boom);
        assertThat(cancelled).hasValue(1);
    }

    @Test
    void raceReturnsTheFirstSuccessAndCancelsTheLosers() throws Exception {
        List<String> losers = Collections.synchronizedList(new ArrayList<>());
        String winner = race(List.of(
                () -> {
                    sleep(Duration.ofMillis(10));
                    return "fast";
                },
                () -> {
                    try {
                        sleep(Duration.ofMinutes(5));
                        return "slow";
                    } catch (CancelledException e) {
                        losers.add("slow");
                        throw e;
                    }
                },
                () -> {
                    throw new IOException("broken");
                }));
        assertThat(winner).isEqualTo("fast");
        assertThat(losers).containsExactly("slow"); // race returned after every body ended
    }

    @Test
    void raceThrowsWhenAllFail() {
        IOException a = new IOException("a");
        assertThatThrownBy(() -> race(List.<Callable<Object>>of(
                () -> {
                    throw a;
                },
                () -> {
                    sleep(Duration.ofMillis(20));
                    throw new IOException("b");
                }))).isInstanceOf(TaskFailedException.class).hasCause(a)
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("b"));
        assertThatThrownBy(() -> race(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> race(null)).isInstanceOf(NullPointerException.class);
        List<Callable<Object>> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> par(withNull)).isInstanceOf(NullPointerException.class).hasMessage("bodies[0]");
    }

    /** API.md: in a supervisorScope a failure of the body itself cancels the children, also a rethrown join. */
    @Test
    void aSupervisorBodyThatRethrowsAJoinedFailureCancelsTheOtherTasks() {
        AtomicBoolean siblingCancelled = new AtomicBoolean();
        assertThatThrownBy(() -> supervisorScope(s -> {
            Task<Object> failing = s.spawn(() -> {
                throw new IOException("a");
            });
            s.spawn(() -> {
                try {
                    sleep(Duration.ofSeconds(20));
                } catch (CancelledException e) {
                    siblingCancelled.set(true);
                    throw e;
                }
            });
            failing.join(); // TaskFailedException: the body fails with it
            return null;
        })).isInstanceOf(TaskFailedException.class).hasCauseInstanceOf(IOException.class);
        assertThat(siblingCancelled).isTrue();
    }

    /**
     * timeout's limit holds by the clock: with every carrier busy its timer (a virtual thread) cannot run on time,
     * and a body that ran past the limit must still give TimeoutException.
     */
    @Test
    void aTimeoutPassedWhileEveryCarrierWasBusyStillThrows() throws Exception {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        CountDownLatch spinning = new CountDownLatch(carriers);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> hogs = new ArrayList<>();
        for (int i = 0; i < carriers; i++) {
            hogs.add(Thread.ofVirtual().start(() -> {
                spinning.countDown();
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            }));
        }
        try {
            spinning.await();
            // The body runs in this platform thread: 300 ms of work under a 20 ms limit.
            assertThatThrownBy(() -> timeout(Duration.ofMillis(20), () -> {
                long end = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                return "the body's value";
            })).isInstanceOf(TimeoutException.class);
        } finally {
            stop.set(true);
            for (Thread h : hogs) {
                h.join();
            }
        }
    }
}
