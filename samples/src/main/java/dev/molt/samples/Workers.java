package dev.molt.samples;

import static dev.molt.Molt.*;

import dev.molt.CancelledException;
import dev.molt.Channel;
import dev.molt.MoltRuntime;
import dev.molt.ReceiveChannel;
import dev.molt.SendChannel;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker pool: fan out jobs to a few workers over a bounded channel, fan their results back in, and stop it
 * all cleanly with Ctrl-C.
 *
 * <pre>
 *   producer --jobs (bounded)--> worker-1..W --results--> main (progress line)
 * </pre>
 *
 * <ul>
 *   <li>The jobs channel holds only W jobs: when the workers are behind, the producer waits (backpressure),
 *       instead of queueing every job in memory.
 *   <li>The workers run in a scope of their own inside a "pool" task; when that scope ends (all workers have
 *       seen the jobs channel closed and drained) the pool closes the results channel, which ends main's loop.
 *       That is Go's WaitGroup-then-close idiom, with the structure doing the counting.
 *   <li>Ctrl-C shuts the runtime down: its root token is cancelled, so every task's token is, and each worker
 *       stops at its next cancellation point (its {@code sleep}, {@code send} or {@code recv}). Main's scope
 *       still waits for all of them, then main prints what was finished and what was cancelled, and exits
 *       with 130 (128 + SIGINT), as a shell expects of a program stopped by Ctrl-C.
 * </ul>
 *
 * <p>Run it: {@code samples/run workers [JOBS] [WORKERS]} (default 200 jobs, 8 workers) and press Ctrl-C.
 */
public final class Workers {
    private static final Logger log = LoggerFactory.getLogger(Workers.class);

    /** A finished job, and who did it. */
    record Result(int job, String worker) {
    }

    public static void main(String[] args) throws Exception {
        int jobCount = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int workerCount = args.length > 1 ? Integer.parseInt(args[1]) : 8;

        CtrlC.onFirst(() -> {
            try {
                // Cancels the root token, so every task's, and interrupts their threads. Main's scope waits for
                // the tasks too, and main exits once they have ended, usually long before this grace runs out.
                MoltRuntime.defaultRuntime().shutdown(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        Channel<Integer> jobs = channel(workerCount);
        Channel<Result> results = channel(workerCount);
        AtomicInteger finished = new AtomicInteger();  // jobs whose result was handed over
        AtomicInteger cancelled = new AtomicInteger(); // jobs a worker had taken when the cancellation came
        Progress progress = new Progress("jobs", jobCount);
        String detail = "done by " + workerCount + " workers";
        Map<String, Integer> perWorker = new TreeMap<>(); // only main touches it

        log.info("{} jobs, {} workers; press Ctrl-C to stop", jobCount, workerCount);
        try {
            scope(s -> {
                s.spawn("producer", () -> produce(jobCount, jobs));
                s.spawn("pool", () -> {
                    try {
                        scope(pool -> {
                            for (int w = 1; w <= workerCount; w++) {
                                pool.spawn("worker-" + w, () -> work(jobs, results, finished, cancelled));
                            }
                            return null;
                        });
                    } finally {
                        results.close(); // every worker has ended: no more results will come
                    }
                });

                int received = 0;
                for (Result r : results) { // fan-in: ends when the pool closes `results`
                    perWorker.merge(r.worker(), 1, Integer::sum);
                    progress.show(++received, detail);
                }
                return null;
            });
        } catch (CancelledException e) {
            // Ctrl-C. By now every task has ended: a scope never returns or throws before that.
            progress.finish(finished.get(), "when Ctrl-C came");
            System.out.printf("interrupted: %d jobs finished, %d cancelled while running, %d never started%n",
                    finished.get(), cancelled.get(), jobCount - finished.get() - cancelled.get());
            System.exit(130);
        }
        progress.finish(finished.get(), detail);
        System.out.printf("all %d jobs finished in %.1f s%n", finished.get(), progress.seconds());
        System.out.println("jobs per worker: " + perWorker); // whoever is free takes the next job
    }

    static void produce(int jobCount, SendChannel<Integer> jobs) throws InterruptedException {
        try {
            for (int j = 1; j <= jobCount; j++) {
                jobs.send(j); // waits while the channel is full: the workers set the pace
            }
        } finally {
            jobs.close();
        }
    }

    static void work(ReceiveChannel<Integer> jobs, SendChannel<Result> results, AtomicInteger finished,
            AtomicInteger cancelled) throws InterruptedException {
        String me = Thread.currentThread().getName();
        for (int job : jobs) { // ends when the producer has closed `jobs` and it is drained
            try {
                long millis = ThreadLocalRandom.current().nextLong(20, 120);
                sleep(Duration.ofMillis(millis)); // the "work"; a cancellation point
                results.send(new Result(job, me));
                finished.incrementAndGet();
            } catch (CancelledException e) {
                cancelled.incrementAndGet();
                throw e; // ends this worker as CANCELLED
            }
        }
    }
}
