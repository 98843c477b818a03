package dev.molt.internal;

import java.lang.ref.Cleaner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a failed root-scope task that nobody joined: when its handle becomes unreachable without a
 * {@code join} or {@code toFuture}, its failure is logged once at ERROR. (A task in a user scope needs none of
 * this: its scope throws the failure.) Only failed root tasks pay for a registration.
 */
final class UnobservedFailures {
    private static final Logger log = LoggerFactory.getLogger("dev.molt.UnobservedFailure");

    private UnobservedFailures() {
    }

    private static final class Holder {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** Logs {@code report} when {@code task} becomes unreachable, unless it was told the failure was observed. */
    static void watch(Object task, Report report) {
        Holder.CLEANER.register(task, report);
    }

    /** Must not refer to the task, or the task would never become unreachable. */
    static final class Report implements Runnable {
        private final String name;
        private final Throwable failure;
        private volatile boolean observed;

        Report(String name, Throwable failure) {
            this.name = name;
            this.failure = failure;
        }

        void observed() {
            observed = true;
        }

        @Override
        public void run() {
            if (!observed) {
                log.error("Task {} failed and nobody joined it", name, failure);
            }
        }
    }
}
