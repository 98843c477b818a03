package dev.molt.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.molt.CancelToken;
import dev.molt.Molt;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Task.cancel() races a task entering and leaving {@code withToken(CancelToken.never(), ...)} blocks (nested, and
 * in a loop). Checked at precise points: inside a block the thread is never interrupted (at entry, after JDK and
 * Molt blocking calls, at exit) and those calls complete; once a block that saw its task cancelled has ended,
 * the interrupt is delivered (right away, or by the canceller a moment later) and the task ends CANCELLED.
 */
@Timeout(60)
class ShieldRaceStressTest {

    @Test
    void anInterruptFromCancelNeverLandsInsideAShieldAndIsDeliveredAfter() throws Exception {
        long seed = Seeds.seed("ShieldRaceStressTest");
        SplittableRandom master = new SplittableRandom(seed);
        long budget = TimeUnit.MILLISECONDS.toNanos(Seeds.budgetMillis(3000));
        long start = System.nanoTime();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        int rounds = 0;
        MoltRuntime rt = MoltRuntime.create("shield-race");
        try {
            while (System.nanoTime() - start < budget && violations.size() < 20) {
                long rs = master.nextLong();
                round(rt, rs, violations);
                rounds++;
            }
        } finally {
            assertThat(rt.shutdown(Duration.ofSeconds(5))).isTrue();
        }
        System.out.println("ShieldRaceStressTest: " + rounds + " rounds, " + violations.size() + " violations");
        assertThat(new ArrayList<>(violations)).as("seed %d", seed).isEmpty();
    }

    private void round(MoltRuntime rt, long rs, ConcurrentLinkedQueue<String> violations) throws Exception {
        SplittableRandom rnd = new SplittableRandom(rs);
        int blocks = 1 + rnd.nextInt(6);
        int nest = rnd.nextInt(3);
        boolean blockInside = rnd.nextBoolean();
        long cancelAfter = rnd.nextInt(100_000);
        boolean inScope = rnd.nextBoolean(); // the shield in a scope's body, run by the task's thread
        Task<Void> t = rt.run(() -> Molt.spawn(() -> {
            if (inScope) {
                Molt.scope(s -> {
                    blocks(blocks, nest, blockInside, violations);
                    return null;
                });
            } else {
                blocks(blocks, nest, blockInside, violations);
            }
        }));
        current.set(t);
        LockSupport.parkNanos(cancelAfter);
        t.cancel();
        try {
            t.join();
        } catch (Exception e) {
            // checked below
        }
        if (t.state() == Task.State.FAILED) {
            violations.add("the task FAILED");
        }
    }

    private static void blocks(int blocks, int nest, boolean blockInside, ConcurrentLinkedQueue<String> violations)
            throws Exception {
        for (int b = 0; b < blocks; b++) {
            boolean[] sawCancel = {false};
            shielded(nest, () -> {
                check(violations, "at entry");
                if (blockInside) {
                    Thread.sleep(0, 1000);
                    check(violations, "after Thread.sleep");
                    Molt.sleep(Duration.ofNanos(1000));
                    check(violations, "after Molt.sleep");
                } else {
                    for (int i = 0; i < 200; i++) {
                        Thread.onSpinWait();
                    }
                }
                sawCancel[0] = Molt.currentToken().cancelled(); // never(): must stay false
                if (sawCancel[0]) {
                    violations.add("never() reports cancelled");
                }
                check(violations, "at exit");
                return null;
            });
            Task<?> self = taskOf();
            boolean cancelledBeforeExit = self != null && self.token().cancelled();
            if (cancelledBeforeExit) {
                // delivered now, or by the canceller that marked the token and is about to interrupt
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                if (!Thread.currentThread().isInterrupted()) {
                    violations.add("cancelled during or before a shield, but no interrupt after it");
                }
                throw new InterruptedException("delivered");
            }
        }
    }

    /** The task under test, for its own body: tasks of this test are sequential. */
    private static final java.util.concurrent.atomic.AtomicReference<Task<?>> current =
            new java.util.concurrent.atomic.AtomicReference<>();

    private static Task<?> taskOf() {
        // the body may run before the test thread published the handle: wait for it
        Task<?> t;
        while ((t = current.get()) == null || t.isDone()) {
            Thread.onSpinWait();
        }
        return t;
    }

    private static void check(ConcurrentLinkedQueue<String> violations, String where) {
        if (Thread.currentThread().isInterrupted()) {
            violations.add("interrupted inside a shield, " + where);
        }
    }

    private static Object shielded(int nest, java.util.concurrent.Callable<Object> body) throws Exception {
        if (nest == 0) {
            return Molt.withToken(CancelToken.never(), body);
        }
        return Molt.withToken(CancelToken.never(), () -> shielded(nest - 1, body));
    }
}
