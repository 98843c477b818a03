package dev.molt.samples;

import static dev.molt.Molt.*;

import dev.molt.CancelledException;
import dev.molt.MoltRuntime;
import dev.molt.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live task dump: what is running right now, and who owns it, like Go's goroutine dump.
 *
 * <p>Tasks in Molt are never loose: each one belongs to a scope, scopes nest inside tasks, and the whole thing is
 * a tree rooted in the runtime. {@link MoltRuntime#dump()} takes a snapshot of that tree, with the runtime's
 * counters, without stopping anything. This demo builds a small "server" (a supervisor scope of connections,
 * one of them in a nested scope, one in a race), prints the dump, then cancels it all and prints it again.
 *
 * <p>Run it: {@code samples/run dump}
 */
public final class Dump {
    private static final Logger log = LoggerFactory.getLogger(Dump.class);
    private static final Duration FOREVER = Duration.ofHours(1);

    /** The tasks below that wait, each counting down once it is in place. */
    private static final CountDownLatch inPlace = new CountDownLatch(6);

    public static void main(String[] args) throws Exception {
        MoltRuntime runtime = MoltRuntime.defaultRuntime();

        // Spawned outside any scope: it belongs to the runtime's root scope, and stopping it is our job.
        Task<Void> janitor = spawn("janitor", Dump::idle);

        scope(app -> {
            app.spawn("metrics", Dump::idle);
            app.spawn("server", () -> supervisorScope(connections -> {
                // A connection handler that queries two back ends at once, in its own scope.
                connections.spawn("conn-1", () -> scope(request -> {
                    request.spawn("db-query", Dump::idle);
                    request.spawn("cache-get", Dump::idle);
                    return null;
                }));
                // One that asks two replicas and keeps the faster (race bodies are unnamed tasks).
                connections.spawn("conn-2", () -> race(List.of(Dump::idleValue, Dump::idleValue)));
                return null;
            }));

            inPlace.await();
            System.out.println("The live tasks, as MoltRuntime.defaultRuntime().dump() sees them:");
            System.out.println();
            System.out.print(runtime.dump());
            System.out.println();

            log.info("cancelling the app scope");
            app.cancel();
            return null;
        });

        janitor.cancel();
        try {
            janitor.join();
        } catch (CancelledException expected) {
            log.info("janitor ended {}", janitor.state()); // join reports a cancelled task by throwing this
        }

        System.out.println();
        System.out.println("And once everything has ended:");
        System.out.println();
        System.out.print(runtime.dump());
    }

    private static void idle() throws InterruptedException {
        inPlace.countDown();
        sleep(FOREVER);
    }

    private static String idleValue() throws InterruptedException {
        idle();
        return "never";
    }
}
