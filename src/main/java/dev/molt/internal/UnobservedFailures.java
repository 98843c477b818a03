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
        report.registration = Holder.CLEANER.register(task, report);
        if (report.observed) {
            report.release(); // observed while we registered (Dekker with observed(): both sides volatile)
        }
    }

    /** Must not refer to the task, or the task would never become unreachable. */
    static final class Report implements Runnable {
        private final String name;
        private final Throwable failure;
        private volatile boolean observed;
        /** The Cleaner's hold on this report, released once the failure is observed. */
        private volatile Cleaner.Cleanable registration;

        Report(String name, Throwable failure) {
            this.name = name;
            this.failure = failure;
        }

        Throwable failure() {
            return failure;
        }

        /**
         * The failure was joined: nothing to log, and the Cleaner lets go of this report now, rather than when the
         * task becomes unreachable (which it never would if the failure refers back to the task or its thread).
         */
        void observed() {
            observed = true;
            release();
        }

        private void release() {
            Cleaner.Cleanable r = registration;
            if (r != null) {
                r.clean(); // runs run() once, which logs nothing now, and deregisters
            }
        }

        @Override
        public void run() {
            if (!observed) {
                log.error("Task {} failed and nobody joined it", name, failure);
            }
        }
    }
}
