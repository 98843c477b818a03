package dev.molt.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * A runtime's task counters. {@link LongAdder}s, so spawning and ending tasks on many carriers do not contend on
 * one cache line; a read is a sum, exact whenever no task starts or ends during it.
 */
public final class Counters {
    /**
     * Spawners write {@code spawned}, ending tasks read and write the others, so they should not share a cache
     * line. An adder's own cells are padded, but its base field (all that an uncontended spawner touches) is not,
     * and adders allocated one after another sit side by side. The array between them, allocated in between and
     * declared in between (collectors copy an object's referents in field order), keeps them apart in practice;
     * nothing is wrong if it does not, it is only slower.
     */
    private final LongAdder spawned = new LongAdder();
    @SuppressWarnings("unused")
    private final long[] padding = new long[16];
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
