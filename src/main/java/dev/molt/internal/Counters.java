package dev.molt.internal;

/**
 * A runtime's task counters. {@link StripedCounter}s, so spawning and ending tasks on many carriers do not contend
 * on one cache line; a read is a sum, exact whenever no task starts or ends during it.
 */
public final class Counters {
    private final StripedCounter spawned = new StripedCounter();
    private final StripedCounter succeeded = new StripedCounter();
    private final StripedCounter failed = new StripedCounter();
    private final StripedCounter cancelled = new StripedCounter();

    void spawned() {
        spawned.add(1);
    }

    /** Takes back a {@link #spawned()} whose task was refused or could not start. */
    void unspawned() {
        spawned.add(-1);
    }

    void ended(boolean success, boolean failure) {
        (success ? succeeded : failure ? failed : cancelled).add(1);
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
