package dev.molt.internal;

import java.lang.ref.Cleaner;
import java.util.IdentityHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a failed root-scope task that nobody joined: when its handle becomes unreachable without a
 * {@code join} or {@code toFuture}, its failure is logged once at ERROR. (A task in a user scope needs none of
 * this: its scope throws the failure.) Only failed root tasks pay for a registration.
 *
 * <p>What the Cleaner keeps until then (a {@link Notice}) must not reach the task, or the task would never become
 * unreachable. The failure itself may reach it, through the task's thread (a finished virtual thread keeps its
 * {@code Runnable}: the task) or directly, so the notice keeps a {@link FailureCopy}: class names, messages and
 * stack traces of the failure, its causes and suppressed ones, and no object of the program.
 */
final class UnobservedFailures {
    private static final Logger log = LoggerFactory.getLogger("dev.molt.UnobservedFailure");

    private UnobservedFailures() {
    }

    private static final class Holder {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** Logs {@code report}'s failure when {@code task} becomes unreachable, unless it was observed first. */
    static void watch(Object task, Report report) {
        report.registration = Holder.CLEANER.register(task, report.notice);
        if (report.notice.observed) {
            report.release(); // observed while we registered (Dekker with observed(): both sides volatile)
        }
    }

    /** Kept by the task (not by the Cleaner): the failure for joiners, and the notice the Cleaner would log. */
    static final class Report {
        private final Throwable failure;
        private final Notice notice;
        /** The Cleaner's hold on the notice, released once the failure is observed. */
        private volatile Cleaner.Cleanable registration;

        Report(String name, Throwable failure) {
            this.failure = failure;
            this.notice = new Notice(name, FailureCopy.of(failure, new IdentityHashMap<>()));
        }

        Throwable failure() {
            return failure;
        }

        /** The failure was joined: nothing to log, and the Cleaner lets go of the notice now. */
        void observed() {
            notice.observed = true;
            release();
        }

        private void release() {
            Cleaner.Cleanable r = registration;
            if (r != null) {
                r.clean(); // runs the notice once, which logs nothing now, and deregisters
            }
        }
    }

    /** The Cleaner's action: logs the copy once, unless the failure was observed. Refers to nothing of the task. */
    private static final class Notice implements Runnable {
        private final String name;
        private final FailureCopy copy;
        volatile boolean observed;

        Notice(String name, FailureCopy copy) {
            this.name = name;
            this.copy = copy;
        }

        @Override
        public void run() {
            if (!observed) {
                log.error("Task {} failed and nobody joined it", name, copy);
            }
        }
    }

    /**
     * A failure as text and stack traces: its message is the original's {@code toString()} (class name and message),
     * its stack trace, cause and suppressed ones are copies of the original's. Refers to no object of the program.
     */
    static final class FailureCopy extends Throwable {
        private FailureCopy(String description) {
            super(description, null, true, true);
        }

        /**
         * A copy of {@code original}; a cause or suppressed failure seen before (a cycle) is left out. Never throws
         * for what the failure's own methods throw (it runs in the ending task's bookkeeping): a part that cannot be
         * read is left out, and said so.
         */
        static FailureCopy of(Throwable original, Map<Throwable, Boolean> seen) {
            seen.put(original, Boolean.TRUE);
            FailureCopy copy;
            try {
                copy = new FailureCopy(original.toString());
            } catch (RuntimeException e) {
                copy = new FailureCopy(original.getClass().getName() + " (its toString() threw "
                        + e.getClass().getName() + ")");
            }
            try {
                copy.setStackTrace(original.getStackTrace());
                Throwable cause = original.getCause();
                if (cause != null && !seen.containsKey(cause)) {
                    copy.initCause(of(cause, seen));
                }
                for (Throwable s : original.getSuppressed()) {
                    if (!seen.containsKey(s)) {
                        copy.addSuppressed(of(s, seen));
                    }
                }
            } catch (RuntimeException e) {
                copy.addSuppressed(new FailureCopy("(the rest of " + original.getClass().getName()
                        + " could not be read: " + e.getClass().getName() + ")"));
            }
            return copy;
        }

        @Override
        public String toString() {
            return getMessage(); // the original's class name and message, without this class's name in front
        }
    }
}
