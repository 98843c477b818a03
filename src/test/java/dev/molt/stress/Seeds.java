package dev.molt.stress;

/** Seeds for randomized tests: printed, and fixed with {@code -Dmolt.stress.seed=N} to reproduce a run. */
final class Seeds {
    private Seeds() {
    }

    static long seed(String test) {
        String fixed = System.getProperty("molt.stress.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime() ^ Thread.currentThread().threadId();
        System.out.println(test + ": seed " + seed + " (reproduce with -Dmolt.stress.seed=" + seed + ")");
        return seed;
    }

    /** Milliseconds a randomized test may spend on its rounds ({@code -Dmolt.stress.millis}). */
    static long budgetMillis(long dflt) {
        return Long.getLong("molt.stress.millis", dflt);
    }
}
