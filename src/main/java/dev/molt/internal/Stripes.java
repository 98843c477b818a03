package dev.molt.internal;

/**
 * How many stripes a striped structure of the runtime uses ({@link ChildTokens}, {@link StripedCounter}): one
 * sizing rule, so both spread tasks started one after another the same way.
 */
final class Stripes {
    /**
     * A power of two: twice the processors, at least 16 and at most 64. With 4 stripes on 2 cores, a spawn + join
     * profile had 17% of its samples spinning on {@link ChildTokens}' stripe locks; with 16, about 1%.
     */
    static final int COUNT = forProcessors(Runtime.getRuntime().availableProcessors());

    private Stripes() {
    }

    static int forProcessors(int processors) {
        int want = Math.min(64, Math.max(16, 2 * processors));
        return Integer.highestOneBit(want - 1) << 1;
    }
}
