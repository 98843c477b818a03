package dev.molt.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * A runtime's task counters. {@link LongAdder}s, so spawning and ending tasks on many carriers do not contend on
 * one cache line; a read is a sum, exact whenever no task starts or ends during it.
 */
public final class Counters {
    private final LongAdder spawned = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();

    void spawned() {
        spawned.increment();
    }

    /** Takes back a {@link #spawned()} whose task was refused or could not start. */
    void unspawned() {
        spawned.decrement();
    }

    void ended(boolean success, boolean failure) {
        (success ? succeeded : failure ? failed : cancelled).increment();
    }

    public long spawnedCount() {
        return spawned.sum();
    }

    public long succeededCount() {
        return succeeded.sum();
    }

    public long failedCount() {
        return failed.sum();
    }

    public long cancelledCount() {
        return cancelled.sum();
    }

    /** Tasks started and not yet ended. Reads the end counters first, so it never comes out negative. */
    public long liveCount() {
        long ended = succeeded.sum() + failed.sum() + cancelled.sum();
        return spawned.sum() - ended;
    }
}
