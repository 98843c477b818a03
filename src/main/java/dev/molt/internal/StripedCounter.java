package dev.molt.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter that many short-lived threads update: one padded cell per stripe, picked by the calling thread's id.
 *
 * <p>Why not a {@link java.util.concurrent.atomic.LongAdder}: it picks a cell by a per-thread probe that a new
 * virtual thread does not have, so every task's first update went to the same cell, and on a collision the adder
 * first gave the thread a probe (two updates of JVM-wide counters). Thread ids of tasks started one after another
 * are consecutive, so here they spread over the stripes, and an update is one atomic add that never retries.
 * (Profile of spawn + join on 2 cores: the adder's update of the ended-tasks count was 7% of the samples.)
 *
 * <p>A sum is exact whenever no update runs during it.
 */
final class StripedCounter {
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);
    /** Longs per cell: 128 bytes, so two cells never share a cache line, nor an adjacent pair of lines. */
    private static final int PAD = 16;
    private static final int STRIPES = Stripes.COUNT;

    /** Cell {@code i} is at {@code (i + 1) * PAD}: the first PAD longs keep the cells off the array's header. */
    private final long[] cells = new long[(STRIPES + 1) * PAD];

    void add(long x) {
        int stripe = (int) (Thread.currentThread().threadId() & (STRIPES - 1));
        CELL.getAndAdd(cells, (stripe + 1) * PAD, x);
    }

    long sum() {
        long sum = 0;
        for (int i = PAD; i < cells.length; i += PAD) {
            sum += (long) CELL.getVolatile(cells, i);
        }
        return sum;
    }
}
