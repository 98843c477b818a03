package dev.molt.bench.channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs bodies on fresh virtual threads and waits for all of them, for at most {@link #DEADLINE}. */
final class VirtualThreads {
    /** Far above any invocation's time here (milliseconds); only a hang reaches it. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private VirtualThreads() {
    }

    interface Body {
        void run() throws Exception;
    }

    static void runAll(List<Body> bodies) throws InterruptedException {
        List<Thread> threads = new ArrayList<>(bodies.size());
        Throwable[] failure = new Throwable[1];
        for (Body b : bodies) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    b.run();
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }));
        }
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        for (Thread t : threads) {
            if (!t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                // JMH reports this configuration as failed and goes on with the next (each runs in its own fork).
                throw new IllegalStateException("the threads of this shape did not finish within " + DEADLINE
                        + " (a hang or a livelock): " + t);
            }
        }
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
    }
}
