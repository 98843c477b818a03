package dev.molt.samples;

import static dev.molt.Molt.*;

import dev.molt.CancelledException;
import dev.molt.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First contact: start a few tasks in a scope, cancel the scope, and watch every task notice.
 *
 * <p>Three ideas in one screen:
 * <ul>
 *   <li>{@code scope} is a block that owns the tasks started in it: it returns only when all of them have ended,
 *       so no task outlives it.
 *   <li>Cancellation is cooperative. A task notices it at a <em>cancellation point</em>: any blocking Molt call
 *       ({@code sleep} here, channel operations, {@code join}) throws {@link CancelledException}, and busy code
 *       asks with {@code checkCancelled()} (or {@code cancelled()}) at a safe point.
 *   <li>A task that ends because it was cancelled is CANCELLED, not FAILED: cancelling is not an error.
 * </ul>
 *
 * <p>Run it: {@code samples/run cancel}
 */
public final class Cancel {
    private static final Logger log = LoggerFactory.getLogger(Cancel.class);
    private static volatile double work;

    public static void main(String[] args) throws Exception {
        List<Task<Void>> tasks = new ArrayList<>();

        scope(s -> {
            // Two tasks that wait: a blocking Molt call is where they notice cancellation.
            tasks.add(s.spawn("poller-1", () -> poll(Duration.ofMillis(300))));
            tasks.add(s.spawn("poller-2", () -> poll(Duration.ofMillis(450))));
            // One task that computes: it must ask, at a point where stopping is safe.
            tasks.add(s.spawn("cruncher", Cancel::crunch));

            sleep(Duration.ofSeconds(1));
            log.info("cancelling the scope");
            s.cancel(); // cancels the scope's token: every task in it, and everything they started
            return null;
        }); // ...and scope waits here until every task has ended

        log.info("the scope has ended; no task outlived it:");
        for (Task<Void> t : tasks) {
            System.out.printf("  %-9s %s%n", t.name(), t.state());
        }
    }

    /** Polls something every {@code period} until cancelled. */
    private static void poll(Duration period) throws InterruptedException {
        int polls = 0;
        try {
            while (true) {
                sleep(period); // a cancellation point: throws CancelledException once we are cancelled
                log.info("poll #{}", ++polls);
            }
        } catch (CancelledException e) {
            log.info("noticed the cancellation after {} polls; cleaning up", polls);
            throw e; // let it end the task: the task is then CANCELLED
        }
    }

    /** Busy work with no blocking call in it: it checks for cancellation between two steps. */
    private static void crunch() {
        long steps = 0;
        try {
            while (true) {
                work += Math.sqrt(steps); // stands for a slice of real computation
                steps++;
                checkCancelled(); // a safe point: throws CancelledException if we are cancelled
            }
        } catch (CancelledException e) {
            log.info("noticed the cancellation after {} steps", steps);
            throw e;
        }
    }
}
