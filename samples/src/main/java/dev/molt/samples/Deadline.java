package dev.molt.samples;

import static dev.molt.Molt.*;

import dev.molt.CancelledException;
import dev.molt.TaskFailedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deadlines and groups of calls: {@code timeout}, {@code race} and {@code par} against slow fake services.
 *
 * <p>Each of the three is a scope: it starts its calls as tasks, waits for all of them to end, and cancels the
 * ones whose answer is no longer wanted. The point to watch is the cancelled side: every call that loses prints
 * that it was cancelled, before the winner is announced, because a scope never returns while one of its tasks
 * still runs. Nothing is left running in the background after a timeout.
 *
 * <p>Run it: {@code samples/run deadline}
 */
public final class Deadline {
    private static final Logger log = LoggerFactory.getLogger(Deadline.class);

    public static void main(String[] args) throws Exception {
        section("timeout: give a slow call 200 ms");
        try {
            String stock = timeout(Duration.ofMillis(200), () -> call("inventory", 1000));
            log.info("inventory said {}", stock);
        } catch (TimeoutException e) {
            // Thrown only after the cancelled call has ended: nothing of it is still running.
            log.info("gave up: {}", e.getMessage());
        }

        section("race: ask three replicas, keep the first answer");
        String first = race(List.of(
                () -> call("replica-a", 300),
                () -> call("replica-b", 120),
                () -> call("replica-c", 500)));
        log.info("race won by {}", first);

        section("par: three calls at once take as long as the slowest");
        long start = System.nanoTime();
        List<String> page = par(List.of(
                () -> call("users", 200),
                () -> call("orders", 300),
                () -> call("prices", 100)));
        log.info("got {} in {} ms (one after the other: 600 ms)", page, millisSince(start));

        section("par: one call fails, so the others are cancelled");
        try {
            par(List.of(
                    () -> call("users", 400),
                    () -> fail("orders", 100),
                    () -> call("prices", 400)));
        } catch (TaskFailedException e) {
            log.info("par failed: {}", e.getCause().getMessage());
        }

        section("timeout around par: one deadline for a whole group");
        try {
            timeout(Duration.ofMillis(250), () -> par(List.<Callable<String>>of(
                    () -> call("search", 100),
                    () -> call("ads", 600),
                    () -> call("recommendations", 900))));
        } catch (TimeoutException e) {
            log.info("the group missed its deadline: {}", e.getMessage());
        }
        System.out.println("done: every call answered, failed, or was cancelled; none is still running");
    }

    /** A fake remote call that answers after {@code latencyMillis}, unless it is cancelled first. */
    static String call(String service, long latencyMillis) throws InterruptedException {
        long start = System.nanoTime();
        try {
            sleep(Duration.ofMillis(latencyMillis)); // stands for the network; a cancellation point
        } catch (CancelledException e) {
            log.info("{}: cancelled after {} ms", service, millisSince(start));
            throw e;
        }
        log.info("{}: answered after {} ms", service, millisSince(start));
        return service + "-ok";
    }

    /** A fake remote call that fails after {@code latencyMillis}. */
    static String fail(String service, long latencyMillis) throws InterruptedException {
        sleep(Duration.ofMillis(latencyMillis));
        log.info("{}: failing", service);
        throw new IllegalStateException(service + " is down");
    }

    private static void section(String title) {
        System.out.println();
        System.out.println("== " + title);
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
