package dev.molt.internal;

import dev.molt.MoltRuntime;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state behind a {@link MoltRuntime}: its root token and root scope, its counters, and whether it is shut
 * down. Nothing here is shared between runtimes, and nothing here is locked.
 */
public final class RuntimeCore {
    private static final Logger log = LoggerFactory.getLogger(MoltRuntime.class);

    /** The context carrier of this JVM, chosen once. */
    public static final ContextCarrier CARRIER = Carriers.select();

    /** The default runtime's core, set while the default {@link MoltRuntime} is being made. */
    private static volatile RuntimeCore defaultCore;

    private final String name;
    private final MoltRuntime api;
    private final Token rootToken;
    private final ScopeImpl rootScope;
    private final Context rootContext;
    final Counters counters = new Counters();
    private volatile boolean shutdown;

    /** Made only by {@link MoltRuntime}'s constructor. */
    public RuntimeCore(String name, MoltRuntime api) {
        this.name = Objects.requireNonNull(name, "name");
        this.api = api;
        this.rootScope = ScopeImpl.root(this);
        this.rootToken = rootScope.token();
        this.rootContext = new BoundContext(this, rootToken, rootScope, null);
    }

    /**
     * Publishes this core as the default runtime's, so that {@link #defaultCore()} finds it. Called by the default
     * {@link MoltRuntime}'s constructor once it holds this core: a thread that finds the core here (a volatile
     * read) then sees that runtime's fields too, though its constructor has not returned yet.
     */
    public void makeDefault() {
        defaultCore = this;
    }

    /** The default runtime's core, making the default runtime on first use. */
    public static RuntimeCore defaultCore() {
        RuntimeCore d = defaultCore;
        if (d == null) {
            MoltRuntime.defaultRuntime(); // makes it, which sets defaultCore
            d = defaultCore;
        }
        return d;
    }

    public String name() {
        return name;
    }

    /** Whether {@code token} descends from this runtime's root token (so its cancellation reaches it). */
    boolean owns(Token token) {
        for (Token t = token; t != null; t = t.parent()) {
            if (t == rootToken) {
                return true;
            }
        }
        return false;
    }

    public MoltRuntime api() {
        return api;
    }

    public Token rootToken() {
        return rootToken;
    }

    public ScopeImpl rootScope() {
        return rootScope;
    }

    public Context rootContext() {
        return rootContext;
    }

    public Counters counters() {
        return counters;
    }

    public boolean isShutdown() {
        return shutdown;
    }

    /**
     * Refuses new tasks from now on, cancels the root token (interrupting every task it reaches) and waits up
     * to {@code graceNanos} for the live count to reach zero. The wait polls with a growing pause: shutdown is
     * rare, and polling keeps the hot path of every task free of a shared completion signal.
     *
     * <p>A task of this runtime that calls it is cancelled with the others, and so interrupted: that interrupt is
     * set aside while it waits for the others (and restored after), and it counts itself as still running, so the
     * answer is false once the others have ended or the grace has passed.
     */
    public boolean shutdown(long graceNanos) throws InterruptedException {
        shutdown = true;
        TaskImpl<?> self = CurrentContext.get().task();
        boolean selfIsOurs = self != null && self.scope.runtime == this;
        rootToken.cancel(new Cancellation(new CancelReason("runtime '" + name + "' shut down"), true));
        boolean selfInterrupted = selfIsOurs && Thread.interrupted(); // the interrupt the cancel just gave us
        try {
            return awaitEnd(graceNanos, selfIsOurs ? 1 : 0);
        } finally {
            if (selfInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until at most {@code remaining} tasks are live; false if that took longer than the grace. */
    private boolean awaitEnd(long graceNanos, int remaining) throws InterruptedException {
        long deadline = Durations.deadline(graceNanos);
        long pauseMicros = 100;
        while (counters.liveCount() > remaining) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                log.warn("Molt runtime '{}': {} tasks still running after the shutdown grace period",
                        name, counters.liveCount());
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MICROSECONDS.toNanos(pauseMicros)));
            pauseMicros = Math.min(pauseMicros * 2, 20_000);
        }
        if (remaining > 0) {
            log.debug("Molt runtime '{}' shut down by one of its tasks; the others ended", name);
            return false;
        }
        log.debug("Molt runtime '{}' shut down; all tasks ended", name);
        return true;
    }
}
