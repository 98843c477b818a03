package dev.molt.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Cancels tokens when their deadline passes.
 *
 * <p>One scheduler for the whole JVM, started on first use. Its worker is a virtual thread, so it holds no
 * carrier while it waits and needs no shutdown. A token cancelled before its deadline removes its timer entry
 * at once, so long deadlines on short-lived tokens do not pile up.
 */
final class DeadlineTimer {
    private DeadlineTimer() {
    }

    private static final class Holder {
        static final ScheduledThreadPoolExecutor SCHEDULER = newScheduler();

        private static ScheduledThreadPoolExecutor newScheduler() {
            ScheduledThreadPoolExecutor s =
                    new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name("molt-deadline-timer").factory());
            s.setRemoveOnCancelPolicy(true);
            return s;
        }
    }

    /** How many deadlines are scheduled now (tests: a token cancelled early must leave the timer). */
    static int scheduled() {
        return Holder.SCHEDULER.getQueue().size();
    }

    /** A scheduled deadline: the cancellation it will apply, and its timer entry (null if none was needed). */
    record Deadline(Cancellation cancellation, ScheduledFuture<?> timer, long dueNanos) {
        /**
         * Whether the deadline has passed by the clock, whether or not its timer has run yet (the timer is a
         * virtual thread, which waits for a carrier when every carrier is busy).
         */
        boolean passed() {
            return timer != null && System.nanoTime() - dueNanos >= 0;
        }

        /** Takes the timer entry out, for an owner that ended before its deadline. */
        void forget() {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    /**
     * Cancels {@code token} with a {@link TimeoutException} reason after {@code nanos}; {@code interrupting} and
     * {@code origin} as for {@link Cancellation}. The cancellation runs on a virtual thread of its own, so a slow
     * cancel callback under one deadline delays no other deadline.
     */
    static Deadline cancelAfter(Token token, long nanos, boolean interrupting, Object origin) {
        Cancellation c = new Cancellation(
                new TimeoutException("deadline passed after " + java.time.Duration.ofNanos(nanos)), interrupting,
                origin);
        if (nanos <= 0) {
            token.cancel(c);
            return new Deadline(c, null, 0L);
        }
        if (nanos == Long.MAX_VALUE) {
            return new Deadline(c, null, 0L);
        }
        long due = Durations.deadline(nanos);
        ScheduledFuture<?> f = Holder.SCHEDULER.schedule(
                () -> Thread.startVirtualThread(() -> token.cancel(c)), nanos, TimeUnit.NANOSECONDS);
        token.addListener(new TimerRemoval(f));
        return new Deadline(c, f, due);
    }

    /** Takes the timer entry out when its token is cancelled some other way first. */
    private static final class TimerRemoval implements CancelListener {
        private final ScheduledFuture<?> future;

        TimerRemoval(ScheduledFuture<?> future) {
            this.future = future;
        }

        @Override
        public void onCancel(Cancellation cancellation) {
            future.cancel(false);
        }
    }
}
