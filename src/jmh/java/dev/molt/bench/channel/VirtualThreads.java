package dev.molt.bench.channel;

import java.util.ArrayList;
import java.util.List;

/** Runs bodies on fresh virtual threads and waits for all of them. */
final class VirtualThreads {
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
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
    }
}
