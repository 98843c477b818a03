package dev.molt.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelToken;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import dev.molt.TaskFailedException;
import dev.molt.internal.Token;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * join, timed join and toFuture race the task's end, Task.cancel() and the cancellation of the joiner's own token.
 * Each joiner must come back (no lost wake-up: within a generous bound) with exactly what the facts allow: the
 * task's value if it succeeded, TaskFailedException with its failure if it failed, CancelledException only if
 * the task was cancelled or the joiner's token was. No joiner leaves a listener behind.
 */
@Timeout(60)
class JoinRaceStressTest {
    static final class Boom extends RuntimeException {
        Boom() {
            super("boom", null, false, false);
        }
    }

    /**
     * toFuture() racing the task's end: the task stores its end state, then looks for a future to complete; toFuture
     * stores the future, then looks at the state. One of them must see the other's store, or the future is never
     * completed (a Dekker pattern: both sides need a full fence between their store and their load).
     */
    @Test
    void aFutureAskedForAsTheTaskEndsIsAlwaysCompleted() throws Exception {
        long budget = TimeUnit.MILLISECONDS.toNanos(Seeds.budgetMillis(2000));
        long start = System.nanoTime();
        SplittableRandom random = new SplittableRandom(Seeds.seed("JoinRaceStressTest.future"));
        int rounds = 0;
        MoltRuntime rt = MoltRuntime.create("future-race");
        try {
            List<Task<Integer>> batch = new ArrayList<>();
            while (System.nanoTime() - start < budget) {
                batch.clear();
                for (int t = 0; t < 64; t++) {
                    int value = t;
                    int spins = random.nextInt(500);
                    batch.add(rt.run(() -> Molt.spawn(() -> {
                        for (int i = 0; i < spins; i++) {
                            Thread.onSpinWait();
                        }
                        return value;
                    })));
                }
                for (int t = 0; t < batch.size(); t++) {
                    assertThat(batch.get(t).toFuture().get(10, TimeUnit.SECONDS)).isEqualTo(t);
                }
                rounds++;
            }
        } finally {
            rt.shutdown(Duration.ofSeconds(10));
        }
        System.out.println("JoinRaceStressTest.future: " + rounds + " rounds");
    }

    @Test
    void joinsRaceTheEndAndCancellation() throws Exception {
        long seed = Seeds.seed("JoinRaceStressTest");
        SplittableRandom master = new SplittableRandom(seed);
        long budget = TimeUnit.MILLISECONDS.toNanos(Seeds.budgetMillis(3000));
        long start = System.nanoTime();
        List<String> violations = new ArrayList<>();
        int rounds = 0;
        MoltRuntime rt = MoltRuntime.create("join-race");
        try {
            while (System.nanoTime() - start < budget && violations.size() < 20) {
                long rs = master.nextLong();
                for (String v : round(rt, rs)) {
                    violations.add("round seed " + rs + ": " + v);
                }
                rounds++;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (rt.liveTasks() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(rt.liveTasks()).isZero();
            assertThat(((Token) rt.rootToken()).listenerCount()).as("root listeners").isZero();
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
        System.out.println("JoinRaceStressTest: " + rounds + " rounds, " + violations.size() + " violations");
        assertThat(violations).as("seed %d", seed).isEmpty();
    }

    private List<String> round(MoltRuntime rt, long rs) throws Exception {
        SplittableRandom rnd = new SplittableRandom(rs);
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        int outcome = rnd.nextInt(3); // 0 value, 1 failure, 2 waits to be cancelled
        long spinNanos = rnd.nextInt(60_000);
        Boom boom = new Boom();
        Integer value = rnd.nextInt();
        Task<Integer> task = rt.run(() -> Molt.spawn(() -> {
            long end = System.nanoTime() + spinNanos;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            if (outcome == 1) {
                throw boom;
            }
            if (outcome == 2) {
                Molt.sleep(Duration.ofSeconds(30));
            }
            return value;
        }));
        int joiners = 1 + rnd.nextInt(4);
        List<Thread> threads = new ArrayList<>();
        List<CancelToken> tokens = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int j = 0; j < joiners; j++) {
            CancelToken mine = rt.rootToken().child();
            tokens.add(mine);
            int how = rnd.nextInt(3);
            threads.add(Thread.ofVirtual().start(() -> {
                AtomicReference<Object> got = new AtomicReference<>();
                try {
                    go.await();
                    got.set(rt.run(() -> Molt.withToken(mine, () -> switch (how) {
                        case 0 -> task.join();
                        case 1 -> task.join(Duration.ofSeconds(10));
                        default -> task.toFuture().get(10, TimeUnit.SECONDS);
                    })));
                } catch (Throwable e) {
                    got.set(e);
                }
                Object r = got.get();
                Task.State st = task.state();
                if (r instanceof ExecutionException ee) {
                    r = ee.getCause();
                }
                if (r instanceof TaskFailedException tfe) {
                    if (st != Task.State.FAILED || tfe.getCause() != boom) {
                        violations.add("TaskFailedException but the task is " + st);
                    }
                } else if (r instanceof CancellationException) {
                    if (st != Task.State.CANCELLED && !mine.cancelled()) {
                        violations.add("CancelledException (" + how + ") but the task is " + st
                                + " and the joiner's token is live");
                    }
                } else if (r instanceof Throwable e) {
                    violations.add("join (" + how + ") threw " + e);
                } else if (st != Task.State.SUCCEEDED || !value.equals(r)) {
                    violations.add("join (" + how + ") returned " + r + " but the task is " + st);
                }
            }));
        }
        go.countDown();
        // the chaos: cancel the task and/or some joiners' tokens at random moments
        int actions = rnd.nextInt(4);
        for (int a = 0; a < actions; a++) {
            LockSupport.parkNanos(rnd.nextInt(80_000));
            if (rnd.nextInt(3) == 0) {
                task.cancel();
            } else {
                tokens.get(rnd.nextInt(tokens.size())).cancel();
            }
        }
        if (outcome == 2) {
            LockSupport.parkNanos(rnd.nextInt(50_000));
            task.cancel();
        }
        for (Thread t : threads) {
            if (!t.join(Duration.ofSeconds(5))) {
                violations.add("a joiner did not return within 5 s (lost wake-up?): task " + task.state()
                        + ", " + t + " " + List.of(t.getStackTrace()));
                task.cancel();
                tokens.forEach(CancelToken::cancel);
                t.join();
            }
        }
        for (CancelToken tk : tokens) {
            if (((Token) tk).listenerCount() != 0) {
                violations.add("a joiner's token keeps " + ((Token) tk).listenerCount() + " listeners");
            }
            tk.cancel(); // leaves the root
        }
        return new ArrayList<>(violations);
    }
}
